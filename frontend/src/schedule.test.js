import { describe, expect, it } from 'vitest';
import { formatRun } from './schedule.js';

describe('next run times', () => {
  it('are shown in the schedule’s zone, in German or English', () => {
    // 06:00 UTC in summer is 08:00 in Berlin
    expect(formatRun('2026-07-01T08:00:00+02:00', 'Europe/Berlin', 'de')).toBe('Mi., 1. Juli 2026, 08:00');
    expect(formatRun('2026-07-01T08:00:00+02:00', 'Europe/Berlin', 'en')).toBe('Wed, 1 Jul 2026, 08:00');
    expect(formatRun('2026-07-01T08:00:00+02:00', 'America/New_York', 'en')).toBe('Wed, 1 Jul 2026, 02:00');
  });
});
