// Conversion between the stored flow document and React Flow's nodes and edges.
// Everything the editor does not touch (credential, notes, retry …) rides along in data.extra.

const NODE_KEYS = ['id', 'type', 'version', 'name', 'params', 'mapping', 'position'];
export const DEFAULT_PORT = 'main';

export const ERROR_PORT = 'error';

/**
 * A node's output ports, by the rule of its declaration (NodeSpec.ports_of in nodes/kit/base.py):
 * its fixed ports, or with `ports_from` one per named entry of a list parameter plus fixed
 * ones (a router's branches, then "default"); and "error" when it sends its errors on.
 */
export function nodePorts(spec, data) {
  let ports = spec && spec.ports && spec.ports.length ? spec.ports : [DEFAULT_PORT];
  const from = spec && spec.ports_from;
  if (from) {
    const entries = data.params && data.params[from.param];
    const named = (Array.isArray(entries) ? entries : [])
      .map((entry) => entry && entry[from.name])
      .filter((name) => typeof name === 'string' && name);
    ports = [...new Set([...named, ...from.fixed])];
  }
  return data.extra && data.extra.on_error === 'branch' ? [...ports, ERROR_PORT] : ports;
}

export function edgeId(source, target, port) {
  return `${source}:${port}->${target}`;
}

/** Positions for nodes stored without one: columns by distance from the trigger. */
function layout(graph) {
  return layoutPositions(graph.nodes || [], graph.edges || []);
}

export const COLUMN = 280;
export const ROW = 140;

/**
 * Left-to-right positions by topological depth: a node's column is one more than its deepest
 * parent's (a cycle is cut where it is found), rows within a column keep the nodes' order
 * (their current height on the canvas when `byY`). Returns {id: {x, y}}.
 */
export function layoutPositions(nodes, edges, byY = false) {
  const depth = {};
  const incoming = {};
  const known = new Set(nodes.map((n) => n.id));
  for (const e of edges) {
    if (known.has(e.source) && known.has(e.target)) (incoming[e.target] ||= []).push(e.source);
  }
  const onPath = new Set();
  const visit = (id) => {
    if (depth[id] !== undefined) return depth[id];
    if (onPath.has(id)) return -1; // a cycle: this edge does not count
    onPath.add(id);
    let d = 0;
    for (const parent of incoming[id] || []) d = Math.max(d, visit(parent) + 1);
    onPath.delete(id);
    depth[id] = d;
    return d;
  };
  // Iterative first pass in topological order keeps the recursion shallow on long chains.
  for (const id of topologicalOrder(nodes, incoming)) visit(id);
  const ordered = byY
    ? [...nodes].sort((a, b) => (a.position?.y ?? 0) - (b.position?.y ?? 0))
    : nodes;
  const rows = {};
  const positions = {};
  for (const node of ordered) {
    const d = visit(node.id);
    rows[d] = (rows[d] || 0) + 1;
    positions[node.id] = { x: d * COLUMN, y: (rows[d] - 1) * ROW };
  }
  return positions;
}

function topologicalOrder(nodes, incoming) {
  const indegree = {};
  const children = {};
  for (const n of nodes) indegree[n.id] = 0;
  for (const [target, parents] of Object.entries(incoming)) {
    for (const p of parents) {
      indegree[target] += 1;
      (children[p] ||= []).push(target);
    }
  }
  const queue = nodes.filter((n) => indegree[n.id] === 0).map((n) => n.id);
  const order = [];
  while (queue.length) {
    const id = queue.shift();
    order.push(id);
    for (const c of children[id] || []) {
      indegree[c] -= 1;
      if (indegree[c] === 0) queue.push(c);
    }
  }
  return order;
}

/** React Flow nodes moved to `layoutPositions` (same objects where nothing moved). */
export function autoLayout(nodes, edges) {
  const positions = layoutPositions(nodes, edges, true);
  return nodes.map((n) => {
    const p = positions[n.id];
    return p.x === n.position.x && p.y === n.position.y ? n : { ...n, position: p };
  });
}

/** What Ctrl+C keeps: the selected nodes and the edges between them. */
export function copySelection(nodes, edges) {
  const picked = nodes.filter((n) => n.selected);
  const ids = new Set(picked.map((n) => n.id));
  return {
    nodes: picked.map((n) => ({ id: n.id, type: n.type, position: { ...n.position }, data: n.data })),
    edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  };
}

/**
 * The clipboard's nodes with fresh ids, moved by `offset`, selected, with params, mapping and
 * everything else kept; edges between them follow the new ids. Returns {nodes, edges}.
 */
export function pasteSelection(clip, existing, offset = { x: 40, y: 40 }) {
  const taken = [...existing];
  const ids = {};
  const nodes = clip.nodes.map((n) => {
    const id = freshId(n.data.type, taken);
    ids[n.id] = id;
    const node = {
      id,
      type: n.type || 'flowNode',
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
      selected: true,
      data: { ...n.data, extra: { ...(n.data.extra || {}) } },
    };
    taken.push(node);
    return node;
  });
  const edges = clip.edges.map((e) => {
    const port = e.sourceHandle || DEFAULT_PORT;
    return {
      ...e,
      id: edgeId(ids[e.source], ids[e.target], port),
      source: ids[e.source],
      target: ids[e.target],
      sourceHandle: port,
      selected: false,
    };
  });
  return { nodes, edges };
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
