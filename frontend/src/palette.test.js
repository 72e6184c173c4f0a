import { describe, expect, it } from 'vitest';
import { byRelevance, relevance } from './palette.js';

const FILTER = { key: 'core.filter', title: { en: 'Filter', de: 'Filter' } };
const SPLIT = { key: 'core.split', title: { en: 'Split into items', de: 'In Einträge aufteilen' } };

describe('palette search', () => {
  it('puts a title match before a description match', () => {
    expect(relevance(FILTER, ['filter'], 'en')).toBe(2);
    expect(relevance(SPLIT, ['filter'], 'en')).toBe(0);
    const groups = [
      { kind: 'trigger', specs: [SPLIT] },
      { kind: 'transform', specs: [SPLIT, FILTER] },
    ];
    const sorted = byRelevance(groups, (g) => g.specs, (s) => relevance(s, ['filter'], 'en'));
    expect(sorted.map((g) => g.kind)).toEqual(['transform', 'trigger']);
  });

  it('keeps the order without a search', () => {
    const groups = [{ kind: 'trigger', specs: [SPLIT] }, { kind: 'transform', specs: [FILTER] }];
    expect(byRelevance(groups, (g) => g.specs, (s) => relevance(s, [], 'en')).map((g) => g.kind)).toEqual([
      'trigger',
      'transform',
    ]);
  });
});
