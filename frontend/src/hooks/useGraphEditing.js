// Changes to the graph from buttons, the palette and the side panel. Each one remembers an undo
// step first and marks the flow unsaved.
import { useCallback } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { localized } from '../i18n.js';
import { autoLayout, edgeId, freshId, nodePorts } from '../graph.js';
import { initialMapping, initialParams } from '../params.js';
import { FIT } from './useFlowDocument.js';

const COLUMN_GAP = 280;

function deselected(items) {
  return items.map((item) => (item.selected ? { ...item, selected: false } : item));
}

function freshData(spec) {
  return {
    type: spec.key,
    version: spec.version,
    params: initialParams(spec.params),
    ...(initialMapping(spec.params) && { mapping: initialMapping(spec.params) }),
    extra: {},
  };
}

// Roughly a step's size on the canvas, to tell whether a new one would be out of view.
const STEP_SIZE = { width: 220, height: 70 };

export function useGraphEditing({ catalog, latest, setNodes, setEdges, setDirty, remember }) {
  const { fitView, flowToScreenPosition, getZoom, setCenter } = useReactFlow();

  /**
   * A new step placed outside the visible part of the canvas is brought into view beside the
   * step it follows (zooming out only if both do not fit), so both stay in reach.
   */
  const reveal = useCallback(
    (at, neighbour) => {
      const pane = document.querySelector('.react-flow');
      if (!pane) return;
      const box = pane.getBoundingClientRect();
      const from = flowToScreenPosition(at);
      const to = flowToScreenPosition({ x: at.x + STEP_SIZE.width, y: at.y + STEP_SIZE.height });
      if (from.x >= box.left && from.y >= box.top && to.x <= box.right && to.y <= box.bottom) return;
      const near = neighbour ? neighbour.position : at;
      const left = Math.min(at.x, near.x);
      const top = Math.min(at.y, near.y);
      const right = Math.max(at.x, near.x) + STEP_SIZE.width;
      const bottom = Math.max(at.y, near.y) + STEP_SIZE.height;
      const zoom = Math.min(getZoom(), (box.width * 0.9) / (right - left), (box.height * 0.9) / (bottom - top));
      setCenter((left + right) / 2, (top + bottom) / 2, { zoom, duration: 200 });
    },
    [flowToScreenPosition, getZoom, setCenter],
  );

  const { t, i18n } = useTranslation();

  /**
   * A flow has one trigger: a new one takes the old one's place after a question. It keeps
   * the old one's id, so the connections and the webhook address a shop may know stay.
   */
  const replaceTrigger = useCallback(
    (trigger, spec) => {
      const name = trigger.data.name || localized(catalog[trigger.data.type]?.title, i18n.language);
      const question = t('replace_trigger_question', { old: name, new: localized(spec.title, i18n.language) });
      if (!window.confirm(question)) return;
      remember();
      setNodes((current) =>
        current.map((n) => (n.id === trigger.id ? { ...n, selected: true, data: freshData(spec) } : { ...n, selected: false })),
      );
      setDirty(true);
    },
    [catalog, i18n, t, setNodes, setDirty, remember],
  );

  /** A new step at `position`, or right of the selected step (and connected to it), or last. */
  const addNode = useCallback(
    (spec, position) => {
      const { nodes } = latest.current;
      const trigger = spec.kind === 'trigger' && nodes.find((n) => catalog[n.data.type]?.kind === 'trigger');
      if (trigger) {
        replaceTrigger(trigger, spec);
        return;
      }
      const after = position ? null : nodes.find((n) => n.selected);
      const id = freshId(spec.key, nodes);
      let at = position;
      // The step the new one is placed beside: the selected one, else the rightmost.
      const neighbour = after || nodes.reduce((m, n) => (!m || n.position.x > m.position.x ? n : m), null);
      if (!at && after) at = { x: after.position.x + COLUMN_GAP, y: after.position.y };
      if (!at) {
        const right = neighbour ? neighbour.position.x : -COLUMN_GAP;
        at = { x: right + COLUMN_GAP, y: 0 };
      }
      const node = {
        id,
        type: 'flowNode',
        position: at,
        selected: true,
        data: freshData(spec),
      };
      remember();
      setNodes((current) => [...deselected(current), node]);
      if (after && spec.kind !== 'trigger') {
        const port = nodePorts(catalog[after.data.type], after.data)[0];
        setEdges((current) => [
          ...current,
          { id: edgeId(after.id, id, port), source: after.id, target: id, sourceHandle: port },
        ]);
      }
      setDirty(true);
      if (!position) requestAnimationFrame(() => reveal(at, neighbour));
    },
    [catalog, latest, setNodes, setEdges, setDirty, remember, replaceTrigger, reveal],
  );

  const updateNodeData = useCallback(
    (id, patch) => {
      remember(`edit:${id}:${Object.keys(patch).join(',')}`);
      setNodes((current) =>
        current.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)),
      );
      setDirty(true);
    },
    [setNodes, setDirty, remember],
  );

  const deleteNode = useCallback(
    (id) => {
      remember();
      setNodes((current) => current.filter((n) => n.id !== id));
      setEdges((current) => current.filter((e) => e.source !== id && e.target !== id));
      setDirty(true);
    },
    [setNodes, setEdges, setDirty, remember],
  );

  /** Add nodes and edges (pasted ones) as the new selection. */
  const insert = useCallback(
    (added) => {
      remember();
      setNodes((current) => [...deselected(current), ...added.nodes]);
      setEdges((current) => [...deselected(current), ...added.edges]);
      setDirty(true);
    },
    [setNodes, setEdges, setDirty, remember],
  );

  /** Move the selected steps; false when nothing is selected. */
  const nudge = useCallback(
    (dx, dy) => {
      if (!latest.current.nodes.some((n) => n.selected)) return false;
      remember('nudge');
      setNodes((current) =>
        current.map((n) =>
          n.selected ? { ...n, position: { x: n.position.x + dx, y: n.position.y + dy } } : n,
        ),
      );
      setDirty(true);
      return true;
    },
    [latest, setNodes, setDirty, remember],
  );

  const fit = useCallback(() => fitView({ ...FIT, duration: 200 }), [fitView]);

  const tidy = useCallback(() => {
    const { nodes, edges } = latest.current;
    const laid = autoLayout(nodes, edges);
    if (laid.every((n, i) => n === nodes[i])) {
      fit();
      return;
    }
    remember();
    setNodes(laid);
    setDirty(true);
    requestAnimationFrame(fit);
  }, [latest, setNodes, setDirty, remember, fit]);

  const selectNode = useCallback(
    (id) => setNodes((current) => current.map((n) => ({ ...n, selected: n.id === id }))),
    [setNodes],
  );

  return { addNode, updateNodeData, deleteNode, insert, nudge, tidy, fit, selectNode };
}
