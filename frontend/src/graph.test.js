import { describe, expect, it } from 'vitest';
import { fromReactFlow, toReactFlow, freshId, nodePorts, problemsByNode } from './graph.js';
import { parseJson, toJson } from './api.js';

const STORED = `{"schema_version": 1,
 "nodes": [
  {"id": "order", "type": "core.webhook", "version": 1, "name": "Paid order",
   "params": {"event_id_header": "X-Shopify-Webhook-Id"}, "position": {"x": 0, "y": 40},
   "credential": null, "notes": "from the shop"},
  {"id": "fields", "type": "core.map", "version": 1,
   "params": {"fields": {"shop_id": 820982911946154508, "rate": 1.5}},
   "mapping": {"fields.id": "trigger.id", "fields.total": "to_number(trigger.total_price)"},
   "position": {"x": 280.5, "y": -12}},
  {"id": "paid", "type": "core.filter", "version": 1,
   "mapping": {"condition": "input.total > \`0\`"}, "position": {"x": 560, "y": 0},
   "retry": {"attempts": 2}},
  {"id": "erp", "type": "core.http_request", "version": 1,
   "params": {"method": "POST", "url": "https://erp.example.com/orders"},
   "mapping": {"body": "input"}, "position": {"x": 840, "y": 0}}],
 "edges": [{"source": "order", "target": "fields", "port": "main"},
           {"source": "fields", "target": "paid"},
           {"source": "paid", "target": "erp", "port": "main"}]}`;

describe('graph conversion', () => {
  it('round-trips the stored document exactly, big ints included', () => {
    const graph = parseJson(STORED);
    const { nodes, edges } = toReactFlow(graph);
    const back = fromReactFlow(nodes, edges);
    expect(parseJson(toJson(back))).toEqual(parseJson(STORED));
    expect(toJson(back)).toContain('"shop_id":820982911946154508');
    expect(toJson(back)).not.toContain('820982911946154500');
  });

  it('gives React Flow ids, types, positions and port handles', () => {
    const { nodes, edges } = toReactFlow(parseJson(STORED));
    expect(nodes.map((n) => n.id)).toEqual(['order', 'fields', 'paid', 'erp']);
    expect(nodes[1]).toMatchObject({
      type: 'flowNode',
      position: { x: 280.5, y: -12 },
      data: { type: 'core.map', version: 1, mapping: { 'fields.id': 'trigger.id' } },
    });
    expect(nodes[2].data.extra).toEqual({ retry: { attempts: 2 } });
    expect(edges[1]).toMatchObject({ source: 'fields', target: 'paid', sourceHandle: 'main' });
  });

  it('lays out nodes stored without a position, left to right', () => {
    const { nodes } = toReactFlow({
      schema_version: 1,
      nodes: [
        { id: 'a', type: 'core.manual', version: 1 },
        { id: 'b', type: 'core.map', version: 1 },
        { id: 'c', type: 'core.map', version: 1 },
      ],
      edges: [{ source: 'a', target: 'b' }, { source: 'a', target: 'c' }],
    });
    expect(nodes.map((n) => n.position)).toEqual([
      { x: 0, y: 0 },
      { x: 280, y: 0 },
      { x: 280, y: 140 },
    ]);
  });

  it('writes new edges with their port and new nodes without empty keys', () => {
    const graph = fromReactFlow(
      [{ id: 'map', position: { x: 1.4, y: 2.6 }, data: { type: 'core.map', version: 1 } }],
      [{ id: 'e', source: 'hook', target: 'map', sourceHandle: 'main' }],
    );
    expect(graph.nodes).toEqual([
      { id: 'map', type: 'core.map', version: 1, position: { x: 1.4, y: 2.6 } },
    ]);
    expect(graph.edges).toEqual([{ source: 'hook', target: 'map', port: 'main' }]);
  });

  it('makes fresh ids from the node type', () => {
    const nodes = [{ id: 'map' }, { id: 'map_2' }];
    expect(freshId('core.map', nodes)).toBe('map_3');
    expect(freshId('core.http_request', nodes)).toBe('http_request');
  });

  it('sorts server problems by node and field', () => {
    const graph = parseJson(STORED);
    const { byNode, general } = problemsByNode(
      [
        { pointer: '/graph/nodes/3/params/url', message: 'bad url' },
        {
          pointer: '/graph/nodes/1/mapping/fields.total',
          message: 'Step "fields", field "fields.total": Not a valid expression',
        },
        { pointer: '/graph/edges/0', message: 'edge' },
      ],
      graph,
    );
    expect(byNode.erp[0]).toMatchObject({ field: 'url', message: 'bad url' });
    expect(byNode.fields[0]).toMatchObject({ field: 'fields', message: 'Not a valid expression' });
    expect(general).toEqual([{ pointer: '/graph/edges/0', message: 'edge' }]);
  });
});

describe('nodePorts', () => {
  const router = {
    ports: ['main'],
    ports_from: { param: 'branches', name: 'name', fixed: ['default'] },
  };

  it('derives a router\'s ports from its branches, then the fixed ones', () => {
    const data = {
      params: { branches: [{ name: 'express' }, { name: 'ausland' }, { name: '' }, 'broken'] },
    };
    expect(nodePorts(router, data)).toEqual(['express', 'ausland', 'default']);
    expect(nodePorts(router, { params: {} })).toEqual(['default']);
  });

  it('adds the error port only when the step sends its errors on', () => {
    const http = { ports: ['main'] };
    expect(nodePorts(http, { extra: {} })).toEqual(['main']);
    expect(nodePorts(http, { extra: { on_error: 'continue' } })).toEqual(['main']);
    expect(nodePorts(http, { extra: { on_error: 'branch' } })).toEqual(['main', 'error']);
    expect(nodePorts(undefined, {})).toEqual(['main']);
  });
});
