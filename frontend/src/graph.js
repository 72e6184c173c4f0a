// Conversion between the stored flow document and React Flow's nodes and edges.
// Everything the editor does not touch (credential, notes, retry …) rides along in data.extra.

const NODE_KEYS = ['id', 'type', 'version', 'name', 'params', 'mapping', 'position'];
export const DEFAULT_PORT = 'main';

export function edgeId(source, target, port) {
  return `${source}:${port}->${target}`;
}

/** Positions for nodes stored without one: columns by distance from the trigger. */
function layout(graph) {
  const depth = {};
  const incoming = {};
  for (const e of graph.edges || []) (incoming[e.target] ||= []).push(e.source);
  const visit = (id, seen = new Set()) => {
    if (depth[id] !== undefined) return depth[id];
    if (seen.has(id)) return 0;
    seen.add(id);
    const parents = incoming[id] || [];
    depth[id] = parents.length ? 1 + Math.max(...parents.map((p) => visit(p, seen))) : 0;
    return depth[id];
  };
  const rows = {};
  const positions = {};
  for (const node of graph.nodes || []) {
    const d = visit(node.id);
    rows[d] = (rows[d] || 0) + 1;
    positions[node.id] = { x: d * 280, y: (rows[d] - 1) * 140 };
  }
  return positions;
}

export function toReactFlow(graph) {
  const fallback = layout(graph);
  const nodes = (graph.nodes || []).map((node) => {
    const extra = {};
    for (const [key, value] of Object.entries(node)) {
      if (!NODE_KEYS.includes(key)) extra[key] = value;
    }
    return {
      id: node.id,
      type: 'flowNode',
      position: node.position ? { x: node.position.x, y: node.position.y } : fallback[node.id],
      data: {
        type: node.type,
        version: node.version,
        name: node.name,
        params: node.params,
        mapping: node.mapping,
        extra,
      },
    };
  });
  const edges = (graph.edges || []).map((edge) => {
    const port = edge.port ?? DEFAULT_PORT;
    return {
      id: edgeId(edge.source, edge.target, port),
      source: edge.source,
      target: edge.target,
      sourceHandle: port,
      data: { storedPort: 'port' in edge },
    };
  });
  return { nodes, edges };
}

export function fromReactFlow(nodes, edges) {
  return {
    schema_version: 1,
    nodes: nodes.map((n) => {
      const out = { id: n.id, type: n.data.type, version: n.data.version };
      if (n.data.name !== undefined) out.name = n.data.name;
      if (n.data.params !== undefined) out.params = n.data.params;
      if (n.data.mapping !== undefined) out.mapping = n.data.mapping;
      out.position = { x: n.position.x, y: n.position.y };
      return { ...out, ...(n.data.extra || {}) };
    }),
    edges: edges.map((e) => {
      const out = { source: e.source, target: e.target };
      const port = e.sourceHandle || DEFAULT_PORT;
      if (port !== DEFAULT_PORT || !e.data || e.data.storedPort !== false) out.port = port;
      return out;
    }),
  };
}

/** A node id not yet used: "map", "map_2", … from the node type's name. */
export function freshId(type, nodes) {
  const base = type.split('.').pop().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 50) || 'node';
  const taken = new Set(nodes.map((n) => n.id));
  if (!taken.has(base)) return base;
  let i = 2;
  while (taken.has(`${base}_${i}`)) i += 1;
  return `${base}_${i}`;
}

/** Server problems ("/graph/nodes/1/params/url") grouped by the node id they point at. */
export function problemsByNode(errors, graph) {
  const byNode = {};
  const general = [];
  for (const err of errors || []) {
    const m = /^\/graph\/nodes\/(\d+)(\/.*)?$/.exec(err.pointer || '');
    const node = m && graph.nodes[Number(m[1])];
    if (node) {
      (byNode[node.id] ||= []).push({
        ...err,
        message: plainMessage(err.message),
        field: fieldOf(m[2] || ''),
      });
    } else {
      general.push(err);
    }
  }
  return { byNode, general };
}

function fieldOf(rest) {
  const m = /^\/(params|mapping)\/(.+)$/.exec(rest);
  return m ? m[2].split('/')[0].split('.')[0] : null;
}

/** The message without its 'Step "x", field "y": ' prefix: the editor shows it at the step. */
export function plainMessage(message) {
  return String(message || '').replace(/^Step "[^"]*"(, field "[^"]*")?: /, '');
}
