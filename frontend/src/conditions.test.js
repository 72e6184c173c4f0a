import { describe, expect, it } from 'vitest';
import { conditionExpression, fieldChoices, parseCondition, rowProblem } from './conditions.js';

describe('the condition builder', () => {
  it('writes W1 filter as a number comparison', () => {
    const condition = { combine: 'all', rows: [{ field: 'input.total', operator: 'greater', value: '0' }] };
    expect(conditionExpression(condition)).toBe('to_number(input.total) > `0`');
  });

  it('combines rows with all or any and reads them back', () => {
    const rows = [
      { field: 'input.email', operator: 'contains', value: "o'brien" },
      { field: 'input.country', operator: 'one_of', value: 'AT, CH' },
      { field: 'input.note', operator: 'empty', value: '' },
      { field: 'input.id', operator: 'equals', value: '42' },
      { field: 'input.tag', operator: 'not_equals', value: 'test' },
    ];
    for (const combine of ['all', 'any']) {
      const expression = conditionExpression({ combine, rows });
      expect(expression).toContain(combine === 'all' ? ') && (' : ') || (');
      expect(parseCondition(expression)).toEqual({ combine, rows });
    }
  });

  it('leaves a hand-written expression alone', () => {
    expect(parseCondition('input.total > `0` && length(input.items) > `1`')).toBeNull();
    expect(parseCondition('')).toEqual({ combine: 'all', rows: [] });
  });

  it('writes nothing while a row is incomplete', () => {
    expect(rowProblem({ field: '', operator: 'equals', value: 'x' })).toBe('condition_needs_field');
    expect(rowProblem({ field: 'input.total', operator: 'greater', value: 'much' })).toBe('condition_needs_number');
    expect(conditionExpression({ combine: 'all', rows: [{ field: 'input.total', operator: 'greater', value: '' }] })).toBe('');
  });

  it('offers every plain value of the data as a field', () => {
    const paths = fieldChoices({ input: { total: '403.00', items: [{ sku: 'A' }] }, trigger: { id: 1 }, steps: {} }).map((c) => c.path);
    expect(paths).toEqual(['input.total', 'input.items', 'input.items[0].sku', 'trigger.id']);
  });
});
