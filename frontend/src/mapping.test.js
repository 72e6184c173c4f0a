import { describe, expect, it } from 'vitest';
import { parseJson, toJson } from './api.js';
import { ancestors, buildScope, children, conversionOf, filterFunctions, fromRun, insertCall, insertText, isBranch, kindOf, pathExpression, withConversion } from './mapping.js';

const CATALOG = {
  'core.webhook': { kind: 'trigger', output_example: parseJson('{"id": 820982911946154508, "line_items": [{"sku": "A"}]}') },
  'core.map': { kind: 'transform', output_example: { id: 1, email: 'x@example.com' } },
  'core.http_request': { kind: 'action', output_example: { status: 200 } },
};
const node = (id, type) => ({ id, data: { type } });
const NODES = [node('order', 'core.webhook'), node('fields', 'core.map'), node('erp', 'core.http_request')];
const EDGES = [
  { source: 'order', target: 'fields' },
  { source: 'fields', target: 'erp' },
];

describe('expressions for clicked paths', () => {
  it('joins identifiers, quotes other keys and indexes lists', () => {
    expect(pathExpression(['trigger', 'line_items', 0, 'sku'])).toBe('trigger.line_items[0].sku');
    expect(pathExpression(['steps', 'map-2', 'first name'])).toBe('steps."map-2"."first name"');
    expect(pathExpression(['input', 'say "hi"'])).toBe('input."say \\"hi\\""');
    expect(pathExpression(['input', '2nd'])).toBe('input."2nd"');
    expect(pathExpression(['trigger'])).toBe('trigger');
  });
});

describe('the data tree', () => {
  it('treats big numbers as leaves and knows each kind', () => {
    const scope = parseJson('{"id": 820982911946154508, "a": [1, 2], "b": {"c": null}}');
    expect(isBranch(scope.id)).toBe(false);
    expect(kindOf(scope.id)).toBe('number');
    expect(kindOf(scope.a)).toBe('list');
    expect(kindOf(scope.b)).toBe('group of fields');
    expect(kindOf(scope.b.c)).toBe('nothing');
    expect(kindOf('x')).toBe('text');
    expect(children(scope.a)).toEqual([[0, 1], [1, 2]]);
    expect(children(Array.from({ length: 30 }, (_, i) => i), 5)).toHaveLength(5);
  });
});

describe('the scope of a node', () => {
  it('uses examples: trigger, the first upstream output as input, and every upstream step', () => {
    expect(ancestors('erp', EDGES)).toEqual(['fields', 'order']);
    const scope = buildScope('erp', NODES, EDGES, CATALOG);
    expect(scope.input).toEqual({ id: 1, email: 'x@example.com' });
    expect(Object.keys(scope.steps)).toEqual(['fields', 'order']);
    expect(toJson(scope.trigger)).toContain('820982911946154508');
    expect(buildScope('order', NODES, EDGES, CATALOG).input).toBe(null);
  });

  it('prefers the real outputs of the last test run', () => {
    const run = { fields: { status: 'succeeded', output: { id: 7 } }, order: { status: 'failed' } };
    const scope = buildScope('erp', NODES, EDGES, CATALOG, run);
    expect(scope.input).toEqual({ id: 7 });
    expect(toJson(scope.trigger)).toContain('820982911946154508');
    expect(fromRun('erp', EDGES, run)).toBe(true);
    expect(fromRun('erp', EDGES, {})).toBe(false);
  });

  it('uses the server samples of steps without a run, before the examples', () => {
    const run = { order: { status: 'succeeded', output: { id: 9 } } };
    const samples = { fields: { total: '403.00' }, order: { id: 1 } };
    const scope = buildScope('erp', NODES, EDGES, CATALOG, run, samples);
    expect(scope.input).toEqual({ total: '403.00' });
    expect(scope.trigger).toEqual({ id: 9 });
  });
});

describe('the functions help', () => {
  const FUNCTIONS = [
    { name: 'round_money', signature: 'round_money(value)', description: { en: 'Rounds to cents', de: 'Rundet auf Cent' } },
    { name: 'lower', signature: 'lower(text)', description: { en: 'The text in lower case.', de: 'Der Text in Kleinbuchstaben.' } },
  ];

  it('finds functions by name or by words of the description in the chosen language', () => {
    expect(filterFunctions(FUNCTIONS, 'round', 'en').map((f) => f.name)).toEqual(['round_money']);
    expect(filterFunctions(FUNCTIONS, 'cent', 'de').map((f) => f.name)).toEqual(['round_money']);
    expect(filterFunctions(FUNCTIONS, 'kleinbuchstaben', 'de').map((f) => f.name)).toEqual(['lower']);
    expect(filterFunctions(FUNCTIONS, 'kleinbuchstaben', 'en')).toEqual([]);
    expect(filterFunctions(FUNCTIONS, '', 'en')).toHaveLength(2);
  });

  it('wraps the selected text in the call, or leaves the cursor between the parentheses', () => {
    expect(insertCall('trigger.total', 0, 13, 'round_money')).toEqual({ text: 'round_money(trigger.total)', cursor: 26 });
    expect(insertCall('', 0, 0, 'uuid')).toEqual({ text: 'uuid()', cursor: 5 });
    expect(insertCall('a || b', 5, 6, 'lower')).toEqual({ text: 'a || lower(b)', cursor: 13 });
  });
});

describe('conversions of a mapped field', () => {
  it('wrap the expression and are read back', () => {
    expect(withConversion('trigger.total_price', 'number')).toBe('to_number(trigger.total_price)');
    expect(withConversion('trigger.note', 'default', "it's empty")).toBe("default(trigger.note, 'it\\'s empty')");
    expect(conversionOf("default(trigger.note, 'it\\'s empty')")).toEqual({
      conversion: 'default',
      inner: 'trigger.note',
      fallback: "it's empty",
    });
    expect(conversionOf('to_date(trigger.created_at)')).toEqual({ conversion: 'date', inner: 'trigger.created_at', fallback: '' });
    expect(conversionOf('trigger.id')).toEqual({ conversion: '', inner: 'trigger.id', fallback: '' });
    expect(withConversion('trigger.id', '')).toBe('trigger.id');
  });
});

describe('a path clicked in the data tree', () => {
  it('goes in at the cursor instead of replacing the expression', () => {
    expect(insertText("join(' ', [, trigger.last])", 11, 11, 'trigger.first')).toEqual({
      text: "join(' ', [trigger.first, trigger.last])",
      cursor: 24,
    });
    expect(insertText('trigger.idd', 0, 11, 'trigger.id')).toEqual({ text: 'trigger.id', cursor: 10 });
  });
});
