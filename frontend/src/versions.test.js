import { describe, expect, it } from 'vitest';
import { createI18n } from './i18n.js';
import { formatDate } from './components/Versions.jsx';

describe('version dates', () => {
  it('read naive server times as UTC and format them per language', () => {
    const en = formatDate(createI18n('en').t, '2026-11-26T10:05:00');
    const de = formatDate(createI18n('de').t, '2026-11-26T10:05:00Z');
    expect(en).toBe('26 Nov 2026, 10:05');
    expect(de).toBe('26.11.2026, 10:05');
    expect(formatDate(createI18n('en').t, null)).toBe('');
    expect(formatDate(createI18n('en').t, 'garbage')).toBe('garbage');
  });

  it('are shown in the shop’s time zone', () => {
    expect(formatDate(createI18n('de', 'Europe/Berlin').t, '2026-11-26T10:05:00Z')).toBe('26.11.2026, 11:05');
    expect(formatDate(createI18n('en', 'America/New_York').t, '2026-11-26T10:05:00Z')).toBe('26 Nov 2026, 05:05');
  });
});
