import { describe, expect, it } from 'vitest';
import { createHistory, record, redo, shortcut, undo } from './history.js';

const snap = (n) => ({ nodes: [{ id: `n${n}` }], edges: [] });

describe('undo/redo history', () => {
  it('undoes and redoes in order, and a new change drops the redo branch', () => {
    let h = createHistory();
    h = record(h, snap(0), null, 0);
    h = record(h, snap(1), null, 10);
    let step = undo(h, snap(2));
    expect(step.snapshot).toEqual(snap(1));
    step = undo(step.history, step.snapshot);
    expect(step.snapshot).toEqual(snap(0));
    expect(undo(step.history, step.snapshot)).toBeNull();
    step = redo(step.history, step.snapshot);
    expect(step.snapshot).toEqual(snap(1));
    step = redo(step.history, step.snapshot);
    expect(step.snapshot).toEqual(snap(2));
    expect(redo(step.history, step.snapshot)).toBeNull();
    const back = undo(step.history, snap(2));
    const changed = record(back.history, back.snapshot, null, 20);
    expect(changed.future).toEqual([]);
    expect(changed.past).toHaveLength(2);
  });

  it('coalesces quick changes of the same kind into one step', () => {
    let h = createHistory();
    h = record(h, snap(0), 'edit:a', 0);
    h = record(h, snap(1), 'edit:a', 300);
    h = record(h, snap(2), 'edit:a', 900);
    expect(h.past).toEqual([snap(0)]);
    h = record(h, snap(3), 'edit:b', 1000);
    h = record(h, snap(4), 'edit:b', 2500);
    expect(h.past).toEqual([snap(0), snap(3), snap(4)]);
  });

  it('keeps at most `limit` steps', () => {
    let h = createHistory();
    for (let i = 0; i < 8; i += 1) h = record(h, snap(i), null, i, 5);
    expect(h.past.map((s) => s.nodes[0].id)).toEqual(['n3', 'n4', 'n5', 'n6', 'n7']);
  });

  it('reads the keyboard shortcuts on Windows/Linux and macOS', () => {
    expect(shortcut({ ctrlKey: true, key: 'z' })).toBe('undo');
    expect(shortcut({ metaKey: true, key: 'z' })).toBe('undo');
    expect(shortcut({ metaKey: true, shiftKey: true, key: 'Z' })).toBe('redo');
    expect(shortcut({ ctrlKey: true, key: 'y' })).toBe('redo');
    expect(shortcut({ ctrlKey: true, key: 'c' })).toBe('copy');
    expect(shortcut({ metaKey: true, key: 'v' })).toBe('paste');
    expect(shortcut({ key: 'z' })).toBeNull();
    expect(shortcut({ ctrlKey: true, altKey: true, key: 'z' })).toBeNull();
  });
});
