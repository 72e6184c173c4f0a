// Undo/redo: a small bounded stack of graph snapshots ({nodes, edges}); plain data, no React.
// A snapshot is taken *before* each change. Changes of the same kind that follow each other
// quickly (typing in one field, nudging a node with the arrow keys) share one snapshot.

export const HISTORY_LIMIT = 100;
export const COALESCE_MS = 1000;

export function createHistory() {
  return { past: [], future: [], lastKey: null, lastAt: 0 };
}

/** Remember `snapshot` (the state before a change). Returns the new history. */
export function record(history, snapshot, key = null, now = 0, limit = HISTORY_LIMIT) {
  if (key && key === history.lastKey && now - history.lastAt < COALESCE_MS) {
    return { ...history, lastAt: now };
  }
  const past = [...history.past, snapshot];
  if (past.length > limit) past.splice(0, past.length - limit);
  return { past, future: [], lastKey: key, lastAt: now };
}

/** Step back: returns {history, snapshot} or null when there is nothing to undo. */
export function undo(history, current) {
  if (!history.past.length) return null;
  const past = history.past.slice(0, -1);
  const snapshot = history.past[history.past.length - 1];
  return { history: { past, future: [current, ...history.future], lastKey: null, lastAt: 0 }, snapshot };
}

/** Step forward again after an undo: returns {history, snapshot} or null. */
export function redo(history, current) {
  if (!history.future.length) return null;
  const [snapshot, ...future] = history.future;
  return { history: { past: [...history.past, current], future, lastKey: null, lastAt: 0 }, snapshot };
}

/** The keyboard shortcut an event stands for: 'undo', 'redo', 'copy', 'paste' or null. */
export function shortcut(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = (event.key || '').toLowerCase();
  if (key === 'z') return event.shiftKey ? 'redo' : 'undo';
  if (key === 'y' && !event.shiftKey) return 'redo';
  if (key === 'c' && !event.shiftKey) return 'copy';
  if (key === 'v' && !event.shiftKey) return 'paste';
  return null;
}
