import { describe, expect, it } from 'vitest';
import { autoLayout, copySelection, layoutPositions, pasteSelection } from './graph.js';

const node = (id, type, x = 0, y = 0, extra = {}) => ({
  id,
  type: 'flowNode',
  position: { x, y },
  data: { type, version: 1, ...extra },
});
const edge = (source, target, port = 'main') => ({
  id: `${source}:${port}->${target}`,
  source,
  target,
  sourceHandle: port,
});

describe('auto-layout', () => {
  it('puts each node one column right of its deepest parent', () => {
    const nodes = [node('c', 'core.map', 0, 50), node('a', 'core.webhook'), node('b', 'core.filter', 0, 10)];
    const edges = [edge('a', 'b'), edge('b', 'c'), edge('a', 'c')];
    expect(layoutPositions(nodes, edges)).toEqual({
      a: { x: 0, y: 0 },
      b: { x: 280, y: 0 },
      c: { x: 560, y: 0 },
    });
  });

  it('orders siblings by their height on the canvas and leaves unmoved nodes alone', () => {
    const nodes = [node('t', 'core.webhook'), node('low', 'core.map', 0, 300), node('high', 'core.map', 0, -20)];
    const laid = autoLayout(nodes, [edge('t', 'low'), edge('t', 'high')]);
    expect(laid[0]).toBe(nodes[0]);
    expect(laid.find((n) => n.id === 'high').position).toEqual({ x: 280, y: 0 });
    expect(laid.find((n) => n.id === 'low').position).toEqual({ x: 280, y: 140 });
  });

  it('survives cycles and long chains', () => {
    const cyclic = layoutPositions([node('a', 'x'), node('b', 'x')], [edge('a', 'b'), edge('b', 'a')]);
    expect(Object.keys(cyclic)).toEqual(['a', 'b']);
    const chain = Array.from({ length: 5000 }, (_, i) => node(`n${i}`, 'core.map'));
    const links = chain.slice(1).map((n, i) => edge(`n${i}`, n.id));
    expect(layoutPositions(chain, links).n4999).toEqual({ x: 4999 * 280, y: 0 });
  });
});

describe('copy and paste', () => {
  it('pastes the selected nodes with new ids, offset, their data and the edges between them', () => {
    const nodes = [
      node('order', 'core.webhook'),
      { ...node('map', 'core.map', 280, 0, { params: { fields: {} }, mapping: { 'fields.id': 'trigger.id' }, extra: { notes: 'n' } }), selected: true },
      { ...node('filter', 'core.filter', 560, 0, { mapping: { condition: 'input.id' } }), selected: true },
    ];
    const edges = [edge('order', 'map'), edge('map', 'filter')];
    const clip = copySelection(nodes, edges);
    expect(clip.nodes.map((n) => n.id)).toEqual(['map', 'filter']);
    expect(clip.edges).toEqual([edge('map', 'filter')]);
    const pasted = pasteSelection(clip, nodes, { x: 40, y: 40 });
    expect(pasted.nodes.map((n) => n.id)).toEqual(['map_2', 'filter_2']);
    expect(pasted.nodes[0]).toMatchObject({
      position: { x: 320, y: 40 },
      selected: true,
      data: { type: 'core.map', params: { fields: {} }, mapping: { 'fields.id': 'trigger.id' }, extra: { notes: 'n' } },
    });
    expect(pasted.edges).toEqual([
      { id: 'map_2:main->filter_2', source: 'map_2', target: 'filter_2', sourceHandle: 'main', selected: false },
    ]);
    const again = pasteSelection(clip, [...nodes, ...pasted.nodes], { x: 80, y: 80 });
    expect(again.nodes.map((n) => n.id)).toEqual(['map_3', 'filter_3']);
  });
});
