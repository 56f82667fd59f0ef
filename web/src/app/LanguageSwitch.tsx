import { Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { LOCALES, type Locale } from '../api/types.ts';
import { LANGUAGE_NAMES, setLanguage } from '../i18n/index.ts';

/** Switches the interface language at once; the choice is remembered on this browser. */
export function LanguageSwitch({ onChange }: { onChange?: (locale: Locale) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <Select
      aria-label={t('common.language')}
      data-testid="language-switch"
      size="xs"
      w={130}
      allowDeselect={false}
      value={i18n.language}
      data={LOCALES.map((value) => ({ value, label: LANGUAGE_NAMES[value] }))}
      onChange={(value) => {
        if (!value) return;
        void setLanguage(value as Locale);
        onChange?.(value as Locale);
      }}
    />
  );
}
