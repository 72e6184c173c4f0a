// The editor's words come from the catalogs in ./locales (locales.js). Node titles and
// descriptions come from the node catalog (`localized`).
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { FALLBACK_LANGUAGE, resources } from './locales.js';

export { FALLBACK_LANGUAGE, resources };

/**
 * An i18next instance for `lang`. Dates and numbers are formatted by Intl in the catalog's
 * `intl_locale` (en-GB writes "1 Jul 2026", where plain "en" would write "Jul 1, 2026"), times
 * in the shop's `timeZone` (the page's data-time-zone) unless a format names its own.
 */
export function createI18n(lang, timeZone) {
  const i18n = i18next.createInstance();
  i18n.use(initReactI18next).init({
    lng: resources[lang] ? lang : FALLBACK_LANGUAGE,
    fallbackLng: FALLBACK_LANGUAGE,
    resources,
    initAsync: false,
    showSupportNotice: false,
    interpolation: { escapeValue: false }, // React escapes
  });
  const locale = (lng) => resources[lng]?.translation.intl_locale || lng;
  i18n.services.formatter.addCached('datetime', (lng, options) => {
    const format = new Intl.DateTimeFormat(locale(lng), { timeZone, ...options });
    return (value) => format.format(value);
  });
  i18n.services.formatter.addCached('number', (lng, options) => {
    const format = new Intl.NumberFormat(locale(lng), options);
    return (value) => format.format(value);
  });
  return i18n;
}

/** A step's status in words; a status the catalog does not know is shown as it is. */
export function statusText(t, status) {
  return t(`status_${status}`, { defaultValue: status });
}

/** A {de, en} text of the node catalog in `lang`, else English, else any. */
export function localized(value, lang) {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  return value[lang] || value.en || Object.values(value)[0] || '';
}
