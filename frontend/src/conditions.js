// The condition builder's logic: rows of field / operator / value, combined with "all" or
// "any", written as a JMESPath expression, and read back from an expression it wrote.
import { isBranch, pathExpression } from './mapping.js';

export const OPERATORS = ['equals', 'not_equals', 'contains', 'greater', 'less', 'one_of', 'empty', 'not_empty'];

/** Operators that compare with a value the merchant types (the others only look at the field). */
export function takesValue(operator) {
  return !['empty', 'not_empty'].includes(operator);
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function text(value) {
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function number(value) {
  return `\`${value.trim()}\``;
}

function listOf(value) {
  return String(value)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** What is wrong with a row, as a catalog key, or null. */
export function rowProblem(row) {
  if (!row.field) return 'condition_needs_field';
  if (!takesValue(row.operator)) return null;
  if (['greater', 'less'].includes(row.operator) && !NUMBER.test(String(row.value ?? '').trim())) {
    return 'condition_needs_number';
  }
  if (row.operator === 'one_of' && !listOf(row.value).length) return 'condition_needs_values';
  return null;
}

/** One row as JMESPath. Numbers are compared as numbers, so "403.00" from a shop counts. */
export function rowExpression({ field, operator, value = '' }) {
  const typed = String(value).trim();
  switch (operator) {
    case 'equals':
      return NUMBER.test(typed) ? `to_number(${field}) == ${number(typed)}` : `${field} == ${text(value)}`;
    case 'not_equals':
      return NUMBER.test(typed) ? `to_number(${field}) != ${number(typed)}` : `${field} != ${text(value)}`;
    case 'contains':
      return `contains(${field} || '', ${text(value)})`;
    case 'greater':
      return `to_number(${field}) > ${number(typed)}`;
    case 'less':
      return `to_number(${field}) < ${number(typed)}`;
    case 'one_of':
      return `contains(\`${JSON.stringify(listOf(value))}\`, to_string(${field}))`;
    case 'empty':
      return `!(${field})`;
    case 'not_empty':
      return `!!(${field})`;
    default:
      throw new Error(`unknown operator ${operator}`);
  }
}

/** The expression for a whole condition; '' while a row is incomplete. */
export function conditionExpression({ combine, rows }) {
  if (!rows.length || rows.some(rowProblem)) return '';
  const parts = rows.map(rowExpression);
  if (parts.length === 1) return parts[0];
  return parts.map((p) => `(${p})`).join(combine === 'any' ? ' || ' : ' && ');
}

const FIELD = String.raw`([A-Za-z_@][\w."\[\]@-]*)`;
const QUOTED = String.raw`'((?:[^'\\]|\\.)*)'`;
const NUM = String.raw`\`(-?\d+(?:\.\d+)?)\``;
const unquote = (s) => s.replace(/\\(.)/g, '$1');
const PATTERNS = [
  [new RegExp(`^to_number\\(${FIELD}\\) == ${NUM}$`), 'equals', (m) => m[2]],
  [new RegExp(`^${FIELD} == ${QUOTED}$`), 'equals', (m) => unquote(m[2])],
  [new RegExp(`^to_number\\(${FIELD}\\) != ${NUM}$`), 'not_equals', (m) => m[2]],
  [new RegExp(`^${FIELD} != ${QUOTED}$`), 'not_equals', (m) => unquote(m[2])],
  [new RegExp(`^contains\\(${FIELD} \\|\\| '', ${QUOTED}\\)$`), 'contains', (m) => unquote(m[2])],
  [new RegExp(`^to_number\\(${FIELD}\\) > ${NUM}$`), 'greater', (m) => m[2]],
  [new RegExp(`^to_number\\(${FIELD}\\) < ${NUM}$`), 'less', (m) => m[2]],
  [/^contains\(`(\[.*?\])`, to_string\(([^)]+)\)\)$/, 'one_of', (m) => JSON.parse(m[1]).join(', '), 2],
  [new RegExp(`^!!\\(${FIELD}\\)$`), 'not_empty', () => ''],
  [new RegExp(`^!\\(${FIELD}\\)$`), 'empty', () => ''],
];

function parseRow(part) {
  for (const [pattern, operator, valueOf, fieldGroup = 1] of PATTERNS) {
    const m = part.match(pattern);
    if (m) return { field: m[fieldGroup], operator, value: valueOf(m) };
  }
  return null;
}

/**
 * The builder's rows for an expression it wrote, or null for an expression written by hand
 * (the builder then offers to start over; the text stays as it is).
 */
export function parseCondition(expression) {
  const source = (expression || '').trim();
  if (!source) return { combine: 'all', rows: [] };
  const single = parseRow(source);
  if (single) return { combine: 'all', rows: [single] };
  for (const [combine, joiner] of [['all', ') && ('], ['any', ') || (']]) {
    if (!source.startsWith('(') || !source.endsWith(')')) continue;
    const rows = source.slice(1, -1).split(joiner).map(parseRow);
    if (rows.length > 1 && rows.every(Boolean)) return { combine, rows };
  }
  return null;
}

/** Every place in the data with a plain value: [{path, value}], for the field chooser. */
export function fieldChoices(scope, limit = 300) {
  const found = [];
  const walk = (value, path) => {
    if (found.length >= limit) return;
    if (isBranch(value)) {
      const entries = Array.isArray(value) ? value.slice(0, 1).map((v, i) => [i, v]) : Object.entries(value);
      if (Array.isArray(value)) found.push({ path: pathExpression(path), value });
      for (const [key, child] of entries) walk(child, [...path, key]);
    } else if (path.length > 1) {
      found.push({ path: pathExpression(path), value });
    }
  };
  for (const root of ['input', 'trigger', 'steps']) if (scope && scope[root] != null) walk(scope[root], [root]);
  return found;
}
