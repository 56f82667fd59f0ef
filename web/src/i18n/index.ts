import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { LOCALES, type Locale } from '../api/types.ts';
import { de } from './locales/de.ts';
import { en } from './locales/en.ts';
import { es } from './locales/es.ts';
import { fr } from './locales/fr.ts';
import { it } from './locales/it.ts';

export const LANGUAGE_NAMES: Record<Locale, string> = {
  en: 'English',
  fr: 'Français',
  it: 'Italiano',
  es: 'Español',
  de: 'Deutsch',
};

const STORAGE_KEY = 'rapport.language';

/** The language to show: the one chosen here before, else the browser's first supported one. */
export function detectLanguage(): Locale {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored && (LOCALES as readonly string[]).includes(stored)) return stored as Locale;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if ((LOCALES as readonly string[]).includes(base ?? '')) return base as Locale;
  }
  return 'en';
}

/** Switches language; `remember` keeps the choice for the next visit on this browser. */
export async function setLanguage(locale: Locale | null, remember = true) {
  if (locale && remember) localStorage.setItem(STORAGE_KEY, locale);
  if (!locale) localStorage.removeItem(STORAGE_KEY);
  const next = locale ?? detectLanguage();
  document.documentElement.lang = next;
  await i18next.changeLanguage(next);
}

export function initI18n() {
  const lng = detectLanguage();
  document.documentElement.lang = lng;
  return i18next.use(initReactI18next).init({
    lng,
    fallbackLng: 'en',
    resources: {
      en: { translation: en },
      fr: { translation: fr },
      it: { translation: it },
      es: { translation: es },
      de: { translation: de },
    },
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
}

export const formatDateTime = (value: string | null | undefined, locale: string) =>
  value ? new Date(value).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

export const formatNumber = (value: number, locale: string) => value.toLocaleString(locale);
