// One JSON catalog per language in ./locales: adding a language is adding its catalog.
const catalogs = import.meta.glob('./locales/*.json', { eager: true, import: 'default' });

/** {language: {translation: catalog}}, named after the catalog files (de.json → de). */
export const resources = Object.fromEntries(
  Object.entries(catalogs).map(([path, catalog]) => [
    path.replace(/^.*\/([^/]+)\.json$/, '$1'),
    { translation: catalog },
  ]),
);

export const FALLBACK_LANGUAGE = 'en';

/** The catalog of `lang`, else English. */
export function catalogOf(lang) {
  return (resources[lang] || resources[FALLBACK_LANGUAGE]).translation;
}
