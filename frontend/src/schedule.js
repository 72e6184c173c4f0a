// Next run times of a schedule trigger, as the merchant reads them.

/** A planned time (ISO 8601 with offset) written in the schedule's zone and the UI language. */
export function formatRun(t, iso, zone) {
  return t('run_time', { time: new Date(iso), formatParams: { time: { timeZone: zone } } });
}
