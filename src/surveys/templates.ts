/**
 * Ready surveys a CX program starts from, in the five interface languages. Piped text uses the
 * embedded data and contact fields the link carries ({firstName}, {accountName}, {role}).
 */

const t = (en: string, fr: string, it: string, es: string, de: string) => ({ default: en, fr, it, es, de });

const SCALE_1_5 = [1, 2, 3, 4, 5];

export interface SurveyTemplate {
  key: string;
  name: string;
  description: string;
  embeddedFields: string[];
  metrics: { npsQuestion?: string; csatQuestion?: string };
  definition: Record<string, unknown>;
}

export const SURVEY_TEMPLATES: SurveyTemplate[] = [
  {
    key: 'relationship-nps',
    name: 'Relationship NPS (B2B accounts)',
    description:
      'Likelihood to recommend, the reason behind the score, and questions for the respondent’s role: value and renewal for decision makers, day-to-day experience for end users.',
    embeddedFields: ['sfAccountId', 'sfContactId', 'sfSurveyId', 'role', 'accountName', 'firstName'],
    metrics: { npsQuestion: 'nps' },
    definition: {
      showQuestionNumbers: 'off',
      pages: [
        {
          name: 'score',
          elements: [
            {
              type: 'rating',
              name: 'nps',
              isRequired: true,
              rateMin: 0,
              rateMax: 10,
              minRateDescription: t(
                'Not at all likely',
                'Pas du tout probable',
                'Per niente probabile',
                'Nada probable',
                'Überhaupt nicht wahrscheinlich',
              ),
              maxRateDescription: t(
                'Extremely likely',
                'Très probable',
                'Estremamente probabile',
                'Muy probable',
                'Äußerst wahrscheinlich',
              ),
              title: t(
                '{firstName}, how likely are you to recommend us to a colleague?',
                '{firstName}, quelle est la probabilité que vous nous recommandiez à un collègue ?',
                '{firstName}, con quale probabilità ci consiglieresti a un collega?',
                '{firstName}, ¿qué probabilidad hay de que nos recomiende a un colega?',
                '{firstName}, wie wahrscheinlich ist es, dass Sie uns einem Kollegen empfehlen?',
              ),
            },
            {
              type: 'comment',
              name: 'detractor_reason',
              visibleIf: '{nps} <= 6',
              title: t(
                'What should we do first to improve?',
                'Que devrions-nous améliorer en priorité ?',
                'Cosa dovremmo migliorare per primo?',
                '¿Qué deberíamos mejorar primero?',
                'Was sollten wir zuerst verbessern?',
              ),
            },
            {
              type: 'comment',
              name: 'promoter_reason',
              visibleIf: '{nps} >= 7',
              title: t(
                'What do you value most in working with us?',
                'Qu’appréciez-vous le plus dans notre collaboration ?',
                'Cosa apprezzi di più nel lavorare con noi?',
                '¿Qué es lo que más valora de trabajar con nosotros?',
                'Was schätzen Sie an der Zusammenarbeit mit uns am meisten?',
              ),
            },
          ],
        },
        {
          name: 'decision_makers',
          visibleIf: "{role} anyof ['DECISION_MAKER', 'EXECUTIVE_SPONSOR', 'PROCUREMENT_FINANCE_PERSON']",
          elements: [
            {
              type: 'matrix',
              name: 'value',
              title: t(
                'How do you rate us on…',
                'Comment nous évaluez-vous sur…',
                'Come ci valuti su…',
                '¿Cómo nos valora en…',
                'Wie bewerten Sie uns bei…',
              ),
              columns: SCALE_1_5,
              rows: [
                {
                  value: 'roi',
                  text: t(
                    'Return on investment',
                    'Retour sur investissement',
                    'Ritorno sull’investimento',
                    'Retorno de la inversión',
                    'Kapitalrendite',
                  ),
                },
                {
                  value: 'partnership',
                  text: t('Partnership', 'Partenariat', 'Partnership', 'Colaboración', 'Partnerschaft'),
                },
              ],
            },
            {
              type: 'radiogroup',
              name: 'renewal',
              title: t(
                'How likely is {accountName} to renew?',
                'Quelle est la probabilité que {accountName} renouvelle ?',
                'Con quale probabilità {accountName} rinnoverà?',
                '¿Qué probabilidad hay de que {accountName} renueve?',
                'Wie wahrscheinlich verlängert {accountName}?',
              ),
              choices: [
                { value: 'likely', text: t('Likely', 'Probable', 'Probabile', 'Probable', 'Wahrscheinlich') },
                { value: 'unsure', text: t('Unsure', 'Incertain', 'Incerto', 'No estoy seguro', 'Unsicher') },
                {
                  value: 'unlikely',
                  text: t('Unlikely', 'Peu probable', 'Improbabile', 'Poco probable', 'Unwahrscheinlich'),
                },
              ],
            },
          ],
        },
        {
          name: 'users',
          visibleIf:
            "{role} anyof ['END_USER', 'INFLUENCER', 'PROGRAM_MANAGER', 'ACCOUNT_MEMBER'] or {role} empty",
          elements: [
            {
              type: 'rating',
              name: 'ease',
              rateValues: SCALE_1_5,
              title: t(
                'How easy is our product to use?',
                'Notre produit est-il facile à utiliser ?',
                'Quanto è facile usare il nostro prodotto?',
                '¿Qué tan fácil es usar nuestro producto?',
                'Wie einfach ist unser Produkt zu nutzen?',
              ),
            },
            {
              type: 'rating',
              name: 'support',
              rateValues: SCALE_1_5,
              title: t(
                'How satisfied are you with our support?',
                'Êtes-vous satisfait de notre support ?',
                'Quanto sei soddisfatto del nostro supporto?',
                '¿Qué tan satisfecho está con nuestro soporte?',
                'Wie zufrieden sind Sie mit unserem Support?',
              ),
            },
          ],
        },
      ],
    },
  },
  {
    key: 'case-csat',
    name: 'CSAT after a closed case',
    description: 'Satisfaction with how a support case was handled, with the reason for a low score.',
    embeddedFields: ['sfContactId', 'sfAccountId', 'sfCaseId', 'firstName'],
    metrics: { csatQuestion: 'csat' },
    definition: {
      showQuestionNumbers: 'off',
      elements: [
        {
          type: 'rating',
          name: 'csat',
          isRequired: true,
          rateValues: SCALE_1_5,
          minRateDescription: t(
            'Very dissatisfied',
            'Très insatisfait',
            'Molto insoddisfatto',
            'Muy insatisfecho',
            'Sehr unzufrieden',
          ),
          maxRateDescription: t(
            'Very satisfied',
            'Très satisfait',
            'Molto soddisfatto',
            'Muy satisfecho',
            'Sehr zufrieden',
          ),
          title: t(
            'How satisfied are you with how we handled your request?',
            'Êtes-vous satisfait du traitement de votre demande ?',
            'Quanto sei soddisfatto di come abbiamo gestito la tua richiesta?',
            '¿Qué tan satisfecho está con la gestión de su solicitud?',
            'Wie zufrieden sind Sie mit der Bearbeitung Ihrer Anfrage?',
          ),
        },
        {
          type: 'checkbox',
          name: 'issues',
          visibleIf: '{csat} <= 3',
          title: t(
            'What went wrong?',
            'Qu’est-ce qui n’a pas fonctionné ?',
            'Cosa è andato storto?',
            '¿Qué salió mal?',
            'Was ist schiefgelaufen?',
          ),
          choices: [
            {
              value: 'speed',
              text: t(
                'It took too long',
                'Trop long',
                'Troppo tempo',
                'Tardó demasiado',
                'Es dauerte zu lange',
              ),
            },
            {
              value: 'resolution',
              text: t('Not resolved', 'Non résolu', 'Non risolto', 'No se resolvió', 'Nicht gelöst'),
            },
            {
              value: 'communication',
              text: t('Communication', 'Communication', 'Comunicazione', 'Comunicación', 'Kommunikation'),
            },
          ],
          showOtherItem: true,
        },
        {
          type: 'comment',
          name: 'comment',
          title: t('Anything else?', 'Autre chose ?', 'Altro?', '¿Algo más?', 'Sonst noch etwas?'),
        },
      ],
    },
  },
  {
    key: 'onboarding-pulse',
    name: 'Onboarding / renewal pulse',
    description: 'A three-question check on how onboarding or the run-up to renewal is going.',
    embeddedFields: ['sfAccountId', 'sfContactId', 'accountName'],
    metrics: { csatQuestion: 'progress' },
    definition: {
      showQuestionNumbers: 'off',
      elements: [
        {
          type: 'rating',
          name: 'progress',
          isRequired: true,
          rateValues: SCALE_1_5,
          title: t(
            'How is it going for {accountName} so far?',
            'Comment cela se passe-t-il pour {accountName} jusqu’ici ?',
            'Come sta andando per {accountName} finora?',
            '¿Cómo le va a {accountName} hasta ahora?',
            'Wie läuft es bisher für {accountName}?',
          ),
        },
        {
          type: 'boolean',
          name: 'goals_met',
          title: t(
            'Are your goals being met?',
            'Vos objectifs sont-ils atteints ?',
            'I tuoi obiettivi sono raggiunti?',
            '¿Se están cumpliendo sus objetivos?',
            'Werden Ihre Ziele erreicht?',
          ),
        },
        {
          type: 'comment',
          name: 'blockers',
          title: t(
            'What is in your way?',
            'Qu’est-ce qui vous freine ?',
            'Cosa ti ostacola?',
            '¿Qué se lo impide?',
            'Was steht Ihnen im Weg?',
          ),
        },
      ],
    },
  },
];

export const findTemplate = (key: string) => SURVEY_TEMPLATES.find((t) => t.key === key);
