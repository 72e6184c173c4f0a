// The mapping panel's logic: the data a node can read ({trigger, input, steps}), the tree the
// merchant clicks in, and the JMESPath expression for a clicked place in that tree.
import { isLosslessNumber } from 'lossless-json';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One path segment as JMESPath: `.name`, `."odd key"` or `[3]`. */
export function segment(key) {
  if (typeof key === 'number') return `[${key}]`;
  if (IDENTIFIER.test(key)) return `.${key}`;
  return `."${String(key).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The expression for a path like ['trigger', 'line_items', 0, 'sku']. */
export function pathExpression(path) {
  if (!path.length) return '@';
  return path.map(segment).join('').replace(/^\./, '');
}

export function isBranch(value) {
  return value !== null && typeof value === 'object' && !isLosslessNumber(value);
}

/** What a value is, in the words the preview endpoint uses. */
export function kindOf(value) {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'list';
  if (isLosslessNumber(value) || typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'true/false';
  if (typeof value === 'string') return 'text';
  return 'group of fields';
}

/** The children of a tree branch: [key, value] pairs, lists cut after `limit` items. */
export function children(value, limit = 20) {
  if (Array.isArray(value)) return value.slice(0, limit).map((v, i) => [i, v]);
  if (isBranch(value)) return Object.entries(value);
  return [];
}

/** Ids of every node upstream of `nodeId`, nearest first. */
export function ancestors(nodeId, edges) {
  const incoming = {};
  for (const e of edges) (incoming[e.target] ||= []).push(e.source);
  const seen = [];
  const queue = [...(incoming[nodeId] || [])];
  while (queue.length) {
    const id = queue.shift();
    if (seen.includes(id) || id === nodeId) continue;
    seen.push(id);
    queue.push(...(incoming[id] || []));
  }
  return seen;
}

/**
 * The data a node's expressions are evaluated against. Outputs come from the last test run
 * where it has them (`runSteps`: node id → step), then from the server's samples (the
 * trigger's example fed through Map and other pure steps: node id → output), otherwise from
 * each node type's output_example. `input` is the output of the first upstream node.
 */
export function buildScope(nodeId, nodes, edges, catalog, runSteps = {}, samples = {}) {
  const byId = Object.fromEntries(nodes.map((n) => [n.id, n]));
  const outputOf = (id) => {
    const step = runSteps[id];
    if (step && step.status === 'succeeded' && step.output !== undefined) return step.output;
    if (samples[id] !== undefined) return samples[id];
    const spec = byId[id] && catalog[byId[id].data.type];
    return spec && spec.output_example !== undefined ? spec.output_example : null;
  };
  const trigger = nodes.find((n) => catalog[n.data.type]?.kind === 'trigger');
  const upstream = ancestors(nodeId, edges);
  const first = edges.find((e) => e.target === nodeId);
  const steps = {};
  for (const id of upstream) if (byId[id]) steps[id] = outputOf(id);
  return {
    trigger: trigger ? outputOf(trigger.id) : null,
    input: first ? outputOf(first.source) : null,
    steps,
  };
}

/** Whether the scope came (partly) from a real run rather than examples. */
export function fromRun(nodeId, edges, runSteps = {}) {
  return ancestors(nodeId, edges).some((id) => runSteps[id] && runSteps[id].status === 'succeeded');
}

/** The functions whose name, signature or description (in `lang`) contain every word typed. */
export function filterFunctions(functions, query, lang) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return functions.filter((f) => {
    const text = `${f.signature} ${f.description[lang] || f.description.en}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/**
 * Insert a call of `name` into an expression at the cursor. Selected text becomes the call's
 * argument, so selecting `trigger.total` and choosing round_money gives
 * `round_money(trigger.total)`. Returns the new text and where the cursor goes: after the
 * call when it wraps a selection, otherwise between its parentheses.
 */
export function insertCall(text, start, end, name) {
  const before = text.slice(0, start);
  const selected = text.slice(start, end);
  const after = text.slice(end);
  const call = `${name}(${selected})`;
  const cursor = before.length + (selected ? call.length : name.length + 1);
  return { text: before + call + after, cursor };
}

/**
 * Put `inserted` (a path clicked in the data tree) into an expression at the cursor,
 * replacing the selection; an empty field simply gets the path. Returns the text and where
 * the cursor goes: after the inserted path.
 */
export function insertText(text, start, end, inserted) {
  const before = text.slice(0, start);
  return { text: before + inserted + text.slice(end), cursor: before.length + inserted.length };
}

/** Conversions a mapped field offers without typing a function, and the function of each. */
export const CONVERSIONS = { number: 'to_number', text: 'to_string', date: 'to_date' };

function quoted(text) {
  return `'${String(text).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The conversion around an expression: {conversion, inner, fallback}, with conversion one of
 * '' (none), 'number', 'text', 'date' or 'default' (`default(inner, 'fallback')`).
 */
export function conversionOf(expression) {
  const text = (expression || '').trim();
  const fallback = /^default\((.+), '((?:[^'\\]|\\.)*)'\)$/.exec(text);
  if (fallback) return { conversion: 'default', inner: fallback[1], fallback: fallback[2].replace(/\\(.)/g, '$1') };
  for (const [conversion, name] of Object.entries(CONVERSIONS)) {
    const call = new RegExp(`^${name}\\((.+)\\)$`).exec(text);
    if (call) return { conversion, inner: call[1], fallback: '' };
  }
  return { conversion: '', inner: text, fallback: '' };
}

/** `inner` with a conversion around it (see conversionOf). */
export function withConversion(inner, conversion, fallback = '') {
  if (!inner) return inner;
  if (conversion === 'default') return `default(${inner}, ${quoted(fallback)})`;
  return CONVERSIONS[conversion] ? `${CONVERSIONS[conversion]}(${inner})` : inner;
}
