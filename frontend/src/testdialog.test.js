import { describe, expect, it } from 'vitest';
import { toJson } from './api.js';
import { readPayload } from './components/TestDialog.jsx';

describe('pasted test payloads', () => {
  it('are checked to be JSON and keep big ids exact', () => {
    expect(readPayload('  ').error).toBe('empty');
    const bad = readPayload('{"id": 1,}');
    expect(bad.error).toBe('invalid');
    expect(bad.detail).toBeTruthy();
    const good = readPayload('{"id": 820982911946154508, "ok": true}');
    expect(toJson(good.payload)).toBe('{"id":820982911946154508,"ok":true}');
  });
});

describe('the event of a past run', () => {
  it("is its trigger's output", async () => {
    const { receivedEvent } = await import('./hooks/useTestDialog.js');
    const run = { steps: [{ node_id: 'order', input: null, output: { id: 1 } }, { node_id: 'map', output: {} }] };
    expect(receivedEvent(run)).toEqual({ id: 1 });
    expect(receivedEvent({ steps: [] })).toBeUndefined();
  });
});
