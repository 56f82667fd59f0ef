import 'survey-core/survey-core.fontless.css';
import 'survey-core/i18n/french';
import 'survey-core/i18n/italian';
import 'survey-core/i18n/spanish';
import 'survey-core/i18n/german';
import { Alert, Center, Container, Loader, Text, VisuallyHidden } from '@mantine/core';
import { type CSSProperties, useEffect, useMemo, useRef, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { Model } from 'survey-core';
import { Survey } from 'survey-react-ui';
import { ApiError, api } from '../api/client.ts';

interface PageData {
  survey: { name: string; version: number; definition: object };
  locale: string;
  embedded: Record<string, unknown>;
  response: { status: string; answers: Record<string, unknown>; resumeToken: string } | null;
  alreadyCompleted: boolean;
}

interface Problem {
  path: string;
  message: string;
}

const resumeKey = (token: string) => `rapport.resume.${token}`;

/**
 * The respondent's page at /s/:token: SurveyJS renders the version the server hands out, answers
 * are saved as the respondent goes (and resumed on return), and completion is checked on the
 * server; a refused answer shows its reason on its question.
 */
export function SurveyPage() {
  const { token = '' } = useParams();
  // A call-script link carries the CRM record's merge fields in its query string.
  const [searchParams] = useSearchParams();
  const visit = useMemo(() => Object.fromEntries(searchParams), [searchParams]);
  const [data, setData] = useState<PageData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const resumeToken = useRef<string | undefined>(localStorage.getItem(resumeKey(token)) ?? undefined);

  useEffect(() => {
    api
      .get<PageData>(`/public/links/${encodeURIComponent(token)}`, { ...visit, resume: resumeToken.current })
      .then(setData)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [token, visit]);

  const model = useMemo(() => {
    if (!data || data.alreadyCompleted) return null;
    const survey = new Model(data.survey.definition);
    survey.locale = data.locale === 'en' ? '' : data.locale;
    // SurveyJS titles are plain divs by default: headings give screen-reader users the outline
    // (survey h1, page h2, questions under them).
    survey.onGetTitleTagName.add((_sender, options) => {
      options.tagName = headingFor(options.element);
    });
    for (const [name, value] of Object.entries(data.embedded)) survey.setVariable(name, value);
    // On a phone SurveyJS folds an 11-point scale into a menu; buttons that wrap take one tap.
    for (const question of survey.getAllQuestions()) {
      if (question.getType() === 'rating' && question.getPropertyValue('displayMode') === 'auto')
        question.setPropertyValue('displayMode', 'buttons');
    }
    if (data.response) {
      survey.data = data.response.answers;
      resumeToken.current = data.response.resumeToken;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const save = async (complete: boolean) => {
      const saved = await api.put<{ resumeToken: string }>(
        `/public/links/${encodeURIComponent(token)}/response`,
        {
          answers: survey.data,
          complete,
          language: data.locale,
          embedded: visit,
          ...(resumeToken.current ? { resumeToken: resumeToken.current } : {}),
        },
      );
      resumeToken.current = saved.resumeToken;
      localStorage.setItem(resumeKey(token), saved.resumeToken);
    };
    // Partial answers go to the server a moment after each change, so leaving loses nothing.
    survey.onValueChanged.add(() => {
      clearTimeout(timer);
      timer = setTimeout(() => void save(false).catch(() => {}), 600);
    });
    survey.onCompleting.add(async (_sender, options) => {
      clearTimeout(timer);
      options.allow = false;
      try {
        await save(true);
        localStorage.removeItem(resumeKey(token));
        setDone(true);
      } catch (e) {
        const problems = e instanceof ApiError && Array.isArray(e.details) ? (e.details as Problem[]) : [];
        for (const p of problems) {
          const question = survey.getQuestionByName(p.path.replace(/^answers\./, ''));
          question?.addError(p.message);
        }
        setError(e instanceof Error ? e.message : String(e));
      }
    });
    return survey;
  }, [data, token, visit]);

  // The whole document speaks the survey's language (screen readers pick their voice by it), and
  // its tab is named after the survey (its own title, else its name).
  useEffect(() => {
    if (!data) return;
    const before = { lang: document.documentElement.lang, title: document.title };
    document.documentElement.lang = data.locale;
    document.title = model?.title || data.survey.name;
    return () => {
      document.documentElement.lang = before.lang;
      document.title = before.title;
    };
  }, [data, model]);

  if (error && !model)
    return (
      <Container size="sm" py="xl">
        <Alert color="yellow" data-testid="survey-unavailable">
          {error}
        </Alert>
      </Container>
    );
  if (!data)
    return (
      <Center mih="100vh">
        <Loader />
      </Center>
    );
  if (done || data.alreadyCompleted)
    return (
      <Container size="sm" py="xl">
        <Text size="lg" data-testid="survey-done">
          {thanks(data.locale)}
        </Text>
      </Container>
    );
  return (
    // The fontless SurveyJS theme takes the app's font through its own variable.
    <main lang={data.locale} style={{ '--sjs-font-family': 'var(--mantine-font-family)' } as CSSProperties}>
      {error && (
        <Alert color="red" m="md" data-testid="survey-error">
          {error}
        </Alert>
      )}
      {/* A survey without a title of its own is still named by a heading. */}
      {model && !model.title && <VisuallyHidden component="h1">{data.survey.name}</VisuallyHidden>}
      {model && <Survey model={model} />}
    </main>
  );
}

/** The heading level of a survey element's title: one below what contains it (a page without a title adds none). */
interface Titled {
  getType(): string;
  parent?: unknown;
  isPage?: boolean;
  hasTitle?: boolean;
}
function headingFor(element: Titled): string {
  const type = element.getType();
  if (type === 'survey') return 'h1';
  if (type === 'page') return 'h2';
  let level = 2;
  let parent = element.parent as Titled | undefined;
  for (; parent && !parent.isPage; parent = parent.parent as Titled | undefined) level++;
  if (parent?.hasTitle) level++;
  return `h${Math.min(level, 6)}`;
}

const THANKS: Record<string, string> = {
  en: 'Thank you: your answers are recorded.',
  fr: 'Merci : vos réponses sont enregistrées.',
  it: 'Grazie: le tue risposte sono state registrate.',
  es: 'Gracias: sus respuestas han quedado registradas.',
  de: 'Danke: Ihre Antworten sind gespeichert.',
};
const thanks = (locale: string) => THANKS[locale] ?? THANKS.en!;
