// Next run times of a schedule trigger, as the merchant reads them.

/** A planned time (ISO 8601 with offset) written in the schedule's zone and the UI language. */
export function formatRun(iso, zone, lang) {
  const locale = lang === 'de' ? 'de-DE' : 'en-GB';
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: zone,
  }).format(new Date(iso));
}
