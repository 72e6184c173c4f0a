import { describe, expect, it } from 'vitest';
import { createI18n } from './i18n.js';
import { formatRun } from './schedule.js';

describe('next run times', () => {
  it('are shown in the schedule’s zone, in German or English', () => {
    const de = createI18n('de').t;
    const en = createI18n('en').t;
    // 06:00 UTC in summer is 08:00 in Berlin
    expect(formatRun(de, '2026-07-01T08:00:00+02:00', 'Europe/Berlin')).toBe('Mi., 1. Juli 2026, 08:00');
    expect(formatRun(en, '2026-07-01T08:00:00+02:00', 'Europe/Berlin')).toBe('Wed, 1 Jul 2026, 08:00');
    expect(formatRun(en, '2026-07-01T08:00:00+02:00', 'America/New_York')).toBe('Wed, 1 Jul 2026, 02:00');
  });
});
