// The editor's language, switched in place; remembered in a cookie that every page follows.
import { useTranslation } from 'react-i18next';
import { resources } from '../i18n.js';

const YEAR_SECONDS = 365 * 24 * 3600;

export default function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const choose = (lang) => {
    i18n.changeLanguage(lang);
    document.documentElement.lang = lang;
    document.cookie = `shopwire_lang=${lang}; path=/; max-age=${YEAR_SECONDS}; SameSite=Lax`;
  };
  return (
    <select
      className="language"
      aria-label={t('language')}
      value={i18n.language}
      onChange={(e) => choose(e.target.value)}
    >
      {Object.entries(resources).map(([lang, { translation }]) => (
        <option key={lang} value={lang}>
          {translation.language_name}
        </option>
      ))}
    </select>
  );
}
