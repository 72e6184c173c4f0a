import { describe, expect, it } from 'vitest';
import { formatDate } from './Versions.jsx';

describe('version dates', () => {
  it('read naive server times as UTC and format them per language', () => {
    const en = formatDate('2026-11-26T10:05:00', 'en');
    const de = formatDate('2026-11-26T10:05:00Z', 'de');
    expect(en).toMatch(/2026/);
    expect(de).toMatch(/2026/);
    expect(de).not.toBe(en);
    expect(formatDate(null, 'en')).toBe('');
    expect(formatDate('garbage', 'en')).toBe('garbage');
  });
});
