import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  addEdge,
  useEdgesState,
  useNodesState,
  useReactFlow,
} from '@xyflow/react';
import { api, toJson } from './api.js';
import { EditorContext } from './context.js';
import FlowNode from './FlowNode.jsx';
import {
  autoLayout,
  copySelection,
  edgeId,
  freshId,
  nodePorts,
  fromReactFlow,
  pasteSelection,
  problemsByNode,
  toReactFlow,
} from './graph.js';
import { createHistory, record, redo as redoStep, shortcut, undo as undoStep } from './history.js';
import { localized, translator } from './i18n.js';
import { buildScope, fromRun } from './mapping.js';
import NodePanel from './NodePanel.jsx';
import Palette from './Palette.jsx';
import TestDialog from './TestDialog.jsx';
import Webhook from './Webhook.jsx';
import Versions from './Versions.jsx';
import { initialParams } from './ParamForm.jsx';

const NODE_TYPES = { flowNode: FlowNode };
const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'canceled', 'skipped']);
const DRAG_TYPE = 'application/x-shopwire-node';
const POLL_MS = 500;
const POLL_LIMIT = 240; // two minutes: then the run is left to the executions list
const LISTEN_MS = 120_000; // how long "Wait for a test event" waits
const LISTEN_POLL_MS = 1000;
const FIT = { padding: 0.3, maxZoom: 1.2 };
const DELETE_KEYS = ['Delete', 'Backspace'];
const EDGE_OPTIONS = { type: 'smoothstep' };
const PRO_OPTIONS = { hideAttribution: true };
const MIN_ZOOM = 0.1; // a 200-step flow still fits the window
const NUDGE = 10; // px per arrow key press (×4 with Shift)
const PASTE_OFFSET = 40;
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

function isEditable(target) {
  if (!target || !target.closest) return false;
  return !!target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
}

// A viewer sees the flow, its steps, data and runs, and changes nothing: the server refuses
// their changes anyway, so the editor does not offer them.
function Editor({ flowId, lang, readOnly = false }) {
  const t = useMemo(() => translator(lang), [lang]);
  const [catalog, setCatalog] = useState(null);
  const [flow, setFlow] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [nodes, setNodes, onNodesChange] = useNodesState([]);
  const [edges, setEdges, onEdgesChange] = useEdgesState([]);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [problems, setProblems] = useState({ byNode: {}, general: [] });
  const [message, setMessage] = useState(null);
  const [notice, setNotice] = useState(null);
  const [testOpen, setTestOpen] = useState(false);
  const [payloadText, setPayloadText] = useState(null);
  const [switching, setSwitching] = useState(false);
  const [run, setRun] = useState(null);
  const [lastSteps, setLastSteps] = useState({});
  const [samples, setSamples] = useState({});
  const [listening, setListening] = useState(false);
  const { fitView, screenToFlowPosition } = useReactFlow();
  const wrapper = useRef(null);
  const pollTimer = useRef(null);
  // The latest graph for stable callbacks, the undo history, the clipboard.
  const nodesRef = useRef(nodes);
  const edgesRef = useRef(edges);
  nodesRef.current = nodes;
  edgesRef.current = edges;
  const history = useRef(createHistory());
  const [canUndo, setCanUndo] = useState(false);
  const [canRedo, setCanRedo] = useState(false);
  const dragging = useRef(false);
  const clipboard = useRef(null);
  const pasteCount = useRef(0);

  const setHistory = useCallback((next) => {
    history.current = next;
    setCanUndo(next.past.length > 0);
    setCanRedo(next.future.length > 0);
  }, []);

  /** Take a snapshot before a change; `key` merges quick repeats (typing, nudging). */
  const remember = useCallback(
    (key = null) => {
      const snapshot = { nodes: nodesRef.current, edges: edgesRef.current };
      setHistory(record(history.current, snapshot, key, Date.now()));
    },
    [setHistory],
  );

  const travel = useCallback(
    (step) => {
      const moved = step(history.current, { nodes: nodesRef.current, edges: edgesRef.current });
      if (!moved) return;
      setHistory(moved.history);
      setNodes(moved.snapshot.nodes);
      setEdges(moved.snapshot.edges);
      setDirty(true);
    },
    [setHistory, setNodes, setEdges],
  );
  const undo = useCallback(() => travel(undoStep), [travel]);
  const redo = useCallback(() => travel(redoStep), [travel]);

  useEffect(() => {
    Promise.all([api('GET', '/api/nodes'), api('GET', `/api/flows/${flowId}`)])
      .then(([nodesReply, flowReply]) => {
        setCatalog(Object.fromEntries(nodesReply.nodes.map((spec) => [spec.key, spec])));
        const converted = toReactFlow(flowReply.graph);
        setNodes(converted.nodes);
        setEdges(converted.edges);
        setFlow(flowReply);
        performance.mark('shopwire:flow-loaded');
        requestAnimationFrame(() =>
          Promise.resolve(fitView(FIT)).then(() => performance.mark('shopwire:fit-view')),
        );
      })
      .catch((err) => setLoadError(err.message));
    // The last run's real data feeds the mapping panel; without one, the examples do.
    api('GET', `/api/executions?flow_id=${encodeURIComponent(flowId)}&limit=1`)
      .then((reply) => reply.executions[0] && api('GET', `/api/executions/${reply.executions[0].id}`))
      .then((execution) => execution && setLastSteps(stepsById(execution)))
      .catch(() => {});
  }, [flowId, setNodes, setEdges, fitView]);

  useEffect(() => {
    const warn = (event) => {
      if (!dirty) return undefined;
      event.preventDefault();
      event.returnValue = t('leave_warning');
      return t('leave_warning');
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty, t]);

  useEffect(() => () => clearTimeout(pollTimer.current), []);

  const selected = nodes.find((n) => n.selected) || null;
  const runSteps = run && run.steps && Object.keys(run.steps).length ? run.steps : lastSteps;
  const selectedId = selected ? selected.id : null;
  // On every selection, the server feeds the trigger's example through the flow as it is now,
  // so a step after a Map shows the fields that Map builds before anything has run.
  useEffect(() => {
    if (!selectedId) return undefined;
    let current = true;
    api('POST', '/api/mappings/samples', { graph: fromReactFlow(nodes, edges) })
      .then((reply) => current && setSamples(reply.samples))
      .catch(() => current && setSamples({}));
    return () => {
      current = false;
    };
    // Only a new selection refetches: moving or editing steps must not send a request each time.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedId]);
  const scope = useMemo(
    () =>
      selected && catalog
        ? {
            scope: buildScope(selected.id, nodes, edges, catalog, runSteps, samples),
            fromRun: fromRun(selected.id, edges, runSteps),
          }
        : { scope: null, fromRun: false },
    [selected, nodes, edges, catalog, runSteps, samples],
  );

  const handleNodesChange = useCallback(
    (changes) => {
      if (changes.some((c) => ['remove', 'add', 'position', 'replace'].includes(c.type))) {
        setDirty(true);
      }
      // React Flow's own arrow-key moves (focus on a node): one undo step per burst.
      if (!dragging.current && changes.some((c) => c.type === 'position' && !c.dragging)) {
        remember('nudge');
      }
      onNodesChange(changes);
    },
    [onNodesChange, remember],
  );

  const onNodeDragStart = useCallback(() => {
    dragging.current = true;
    remember();
  }, [remember]);
  const onNodeDragStop = useCallback(() => {
    dragging.current = false;
  }, []);

  // Delete/Backspace on the canvas: one undo step for the nodes and edges it removes.
  const onBeforeDelete = useCallback(async () => {
    remember();
    return true;
  }, [remember]);

  const handleEdgesChange = useCallback(
    (changes) => {
      if (changes.some((c) => c.type === 'remove' || c.type === 'add')) setDirty(true);
      onEdgesChange(changes);
    },
    [onEdgesChange],
  );

  const onConnect = useCallback(
    (connection) => {
      const port = connection.sourceHandle || 'main';
      remember();
      setEdges((current) =>
        addEdge(
          { ...connection, sourceHandle: port, id: edgeId(connection.source, connection.target, port) },
          current,
        ),
      );
      setDirty(true);
    },
    [setEdges, remember],
  );

  const addNode = useCallback(
    (spec, position) => {
      const nodes = nodesRef.current;
      const after = position ? null : nodes.find((n) => n.selected);
      const id = freshId(spec.key, nodes);
      let at = position;
      if (!at && after) at = { x: after.position.x + 280, y: after.position.y };
      if (!at) {
        const right = nodes.reduce((m, n) => Math.max(m, n.position.x), -280);
        at = { x: right + 280, y: 0 };
      }
      const node = {
        id,
        type: 'flowNode',
        position: at,
        selected: true,
        data: {
          type: spec.key,
          version: spec.version,
          params: initialParams(spec.params),
          extra: {},
        },
      };
      remember();
      setNodes((current) => [...current.map((n) => (n.selected ? { ...n, selected: false } : n)), node]);
      const afterSpec = after && catalog[after.data.type];
      if (after && spec.kind !== 'trigger') {
        const port = nodePorts(afterSpec, after.data)[0];
        setEdges((current) => [
          ...current,
          { id: edgeId(after.id, id, port), source: after.id, target: id, sourceHandle: port },
        ]);
      }
      setDirty(true);
    },
    [catalog, setNodes, setEdges, remember],
  );

  const onDragOver = useCallback((event) => {
    if (event.dataTransfer.types.includes(DRAG_TYPE)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (event) => {
      const key = event.dataTransfer.getData(DRAG_TYPE);
      if (!key || !catalog[key]) return;
      event.preventDefault();
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(catalog[key], { x: position.x - 90, y: position.y - 30 });
    },
    [catalog, addNode, screenToFlowPosition],
  );

  const updateNodeData = useCallback(
    (id, patch) => {
      remember(`edit:${id}:${Object.keys(patch).join(',')}`);
      setNodes((current) =>
        current.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)),
      );
      setDirty(true);
    },
    [setNodes, remember],
  );

  const deleteNode = useCallback(
    (id) => {
      remember();
      setNodes((current) => current.filter((n) => n.id !== id));
      setEdges((current) => current.filter((e) => e.source !== id && e.target !== id));
      setDirty(true);
    },
    [setNodes, setEdges, remember],
  );

  const copy = useCallback(() => {
    const clip = copySelection(nodesRef.current, edgesRef.current);
    if (!clip.nodes.length) return false;
    clipboard.current = clip;
    pasteCount.current = 0;
    return true;
  }, []);

  const paste = useCallback(() => {
    const clip = clipboard.current;
    if (!clip) return;
    pasteCount.current += 1;
    const shift = PASTE_OFFSET * pasteCount.current;
    const pasted = pasteSelection(clip, nodesRef.current, { x: shift, y: shift });
    remember();
    setNodes((current) => [
      ...current.map((n) => (n.selected ? { ...n, selected: false } : n)),
      ...pasted.nodes,
    ]);
    setEdges((current) => [...current.map((e) => (e.selected ? { ...e, selected: false } : e)), ...pasted.edges]);
    setDirty(true);
  }, [remember, setNodes, setEdges]);

  const nudge = useCallback(
    (dx, dy) => {
      if (!nodesRef.current.some((n) => n.selected)) return false;
      remember('nudge');
      setNodes((current) =>
        current.map((n) =>
          n.selected ? { ...n, position: { x: n.position.x + dx, y: n.position.y + dy } } : n,
        ),
      );
      setDirty(true);
      return true;
    },
    [remember, setNodes],
  );

  const tidy = useCallback(() => {
    const laid = autoLayout(nodesRef.current, edgesRef.current);
    if (laid.every((n, i) => n === nodesRef.current[i])) {
      fitView({ ...FIT, duration: 200 });
      return;
    }
    remember();
    setNodes(laid);
    setDirty(true);
    requestAnimationFrame(() => fitView({ ...FIT, duration: 200 }));
  }, [remember, setNodes, fitView]);

  useEffect(() => {
    const onKey = (event) => {
      if (isEditable(event.target)) return;
      if (document.querySelector('.dialog-backdrop, [role="dialog"]')) return;
      const action = shortcut(event);
      if (action === 'undo') undo();
      else if (action === 'redo') redo();
      else if (action === 'copy') {
        if (String(window.getSelection() || '') || !copy()) return;
      } else if (action === 'paste') {
        if (!clipboard.current) return;
        paste();
      } else if (!action && ARROWS[event.key] && !event.ctrlKey && !event.metaKey && !event.altKey) {
        const factor = event.shiftKey ? 4 : 1;
        const [x, y] = ARROWS[event.key];
        if (!nudge(x * NUDGE * factor, y * NUDGE * factor)) return;
        event.stopPropagation(); // the same 10 px steps when a node has focus (not React Flow's 5)
      } else return;
      event.preventDefault();
    };
    // Capture: seen before React Flow's own handlers on a focused node.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [undo, redo, copy, paste, nudge]);

  const save = useCallback(async () => {
    const graph = fromReactFlow(nodes, edges);
    setSaving(true);
    setMessage(null);
    try {
      const reply = await api('PUT', `/api/flows/${flowId}`, { name: flow.name, graph });
      setFlow(reply);
      setProblems({ byNode: {}, general: [] });
      setDirty(false);
      return true;
    } catch (err) {
      if (err.status === 422 && err.errors.length) {
        setProblems(problemsByNode(err.errors, graph));
      } else {
        setMessage(t('save_failed', { message: err.message }));
      }
      return false;
    } finally {
      setSaving(false);
    }
  }, [nodes, edges, flow, flowId, t]);

  const poll = useCallback(
    async (executionId, count = 0) => {
      try {
        const execution = await api('GET', `/api/executions/${executionId}`);
        const steps = stepsById(execution);
        const stopped = count >= POLL_LIMIT;
        setRun({ id: executionId, status: execution.status, steps, error: execution.error, stopped });
        if (!FINISHED.has(execution.status) && !stopped) {
          pollTimer.current = setTimeout(() => poll(executionId, count + 1), POLL_MS);
        }
      } catch (err) {
        setRun((current) => ({ ...(current || {}), status: 'failed', error: { message: err.message } }));
      }
    },
    [],
  );

  const triggerNode = nodes.find((n) => catalog && catalog[n.data.type]?.kind === 'trigger');
  const triggerSpec = triggerNode ? catalog[triggerNode.data.type] : null;
  const example = useMemo(
    () => toJson(triggerSpec && triggerSpec.output_example !== undefined ? triggerSpec.output_example : {}, 2),
    [triggerSpec],
  );

  const openTest = useCallback(() => {
    if (!triggerNode) {
      setMessage(t('no_trigger'));
      return;
    }
    setPayloadText((current) => current ?? example);
    setTestOpen(true);
  }, [triggerNode, example, t]);

  const closeTest = useCallback(() => setTestOpen(false), []);

  const test = useCallback(
    async (payload) => {
      setTestOpen(false);
      clearTimeout(pollTimer.current);
      if (dirty && !(await save())) return;
      setRun({ status: 'queued', steps: {} });
      try {
        const execution = await api('POST', `/api/flows/${flowId}/run`, { payload });
        setRun({ id: execution.id, status: execution.status, steps: {} });
        pollTimer.current = setTimeout(() => poll(execution.id), POLL_MS);
      } catch (err) {
        setRun(null);
        setMessage(t('run_failed', { message: err.message }));
      }
    },
    [dirty, save, flowId, poll, t],
  );

  // The test address runs the saved flow: wait for the next execution to appear, then follow it.
  const listen = useCallback(async () => {
    clearTimeout(pollTimer.current);
    if (dirty && !(await save())) return;
    const newest = async () =>
      (await api('GET', `/api/executions?flow_id=${encodeURIComponent(flowId)}&limit=1`)).executions[0];
    const seen = (await newest())?.id;
    const started = Date.now();
    setListening(true);
    const check = async () => {
      const latest = await newest().catch(() => null);
      if (latest && latest.id !== seen) {
        setListening(false);
        setRun({ id: latest.id, status: latest.status, steps: {} });
        poll(latest.id);
      } else if (Date.now() - started > LISTEN_MS) {
        setListening(false);
        setMessage(t('listen_timeout'));
      } else {
        pollTimer.current = setTimeout(check, LISTEN_POLL_MS);
      }
    };
    check();
  }, [dirty, save, flowId, poll, t]);

  const stopListening = useCallback(() => {
    clearTimeout(pollTimer.current);
    setListening(false);
  }, []);

  const retry = useCallback(async () => {
    if (!run || !run.id) return;
    clearTimeout(pollTimer.current);
    const id = run.id;
    setRun((current) => ({ ...current, status: 'queued', error: null }));
    try {
      await api('POST', `/api/executions/${id}/retry`);
      pollTimer.current = setTimeout(() => poll(id), POLL_MS);
    } catch (err) {
      setMessage(t('retry_failed', { message: err.message }));
      poll(id);
    }
  }, [run, poll, t]);

  const toggleActive = useCallback(async () => {
    if (!flow) return;
    const on = !flow.active;
    if (on && dirty && !(await save())) return;
    setSwitching(true);
    try {
      const reply = await api('POST', `/api/flows/${flowId}/${on ? 'activate' : 'deactivate'}`);
      setFlow((current) => ({ ...current, active: reply.active, webhooks: reply.webhooks }));
    } catch (err) {
      setMessage(t(on ? 'activate_failed' : 'deactivate_failed', { message: err.message }));
    } finally {
      setSwitching(false);
    }
  }, [flow, dirty, save, flowId, t]);

  const restored = useCallback(
    (reply, number) => {
      const converted = toReactFlow(reply.graph);
      setNodes(converted.nodes);
      setEdges(converted.edges);
      setFlow(reply);
      setProblems({ byNode: {}, general: [] });
      setMessage(null);
      setDirty(false);
      setNotice(t('restored', { n: number, v: reply.version }));
      setHistory(createHistory());
      requestAnimationFrame(() => fitView(FIT));
    },
    [setNodes, setEdges, fitView, t, setHistory],
  );

  useEffect(() => {
    if (!notice) return undefined;
    const timer = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(timer);
  }, [notice]);

  const minimapColour = useCallback((n) => kindColour(catalog, n), [catalog]);

  const context = useMemo(
    () => ({
      catalog: catalog || {},
      lang,
      t,
      problems: problems.byNode,
      steps: (run && run.steps) || {},
    }),
    [catalog, lang, t, problems, run],
  );

  if (loadError) {
    return (
      <div className="editor-message bad" role="alert">
        {t('load_failed')} {loadError}
      </div>
    );
  }

  const problemCount =
    problems.general.length +
    Object.values(problems.byNode).reduce((sum, list) => sum + list.length, 0);
  const running = run && !FINISHED.has(run.status) && !run.stopped;

  return (
    <EditorContext.Provider value={context}>
      <div className="editor">
        <div className="toolbar">
          <a className="back" href="/">
            ← {t('flows')}
          </a>
          <input
            className="flow-name"
            aria-label={t('name')}
            value={flow ? flow.name : ''}
            disabled={!flow}
            onChange={(e) => {
              setFlow({ ...flow, name: e.target.value });
              setDirty(true);
            }}
          />
          <span className={`save-state ${dirty ? 'dirty' : ''}`} data-testid="save-state">
            {!flow ? t('loading') : saving ? t('saving') : dirty ? t('unsaved') : t('saved')}
          </span>
          {run && run.id && (
            <a
              className={`run-state ${run.status}`}
              data-testid="run-state"
              href={`/executions/${run.id}`}
              target="_blank"
              rel="noreferrer"
              title={t('run_details')}
            >
              {t('run_status', { status: t(`status_${run.status}`) })}
            </a>
          )}
          {run && !run.id && (
            <span className={`run-state ${run.status}`} data-testid="run-state">
              {t('run_status', { status: t(`status_${run.status}`) })}
            </span>
          )}
          {run && run.status === 'failed' && run.id && !readOnly && (
            <button type="button" className="secondary" onClick={retry} data-testid="retry">
              {t('retry')}
            </button>
          )}
          <div className="spacer" />
          {flow && (
            <button
              type="button"
              role="switch"
              aria-checked={!!flow.active}
              className={`switch${flow.active ? ' on' : ''}`}
              disabled={readOnly || switching || saving}
              onClick={toggleActive}
              title={flow.active ? t('switch_off_hint') : t('switch_on_hint')}
            >
              <span className="switch-track" aria-hidden="true">
                <span className="switch-thumb" />
              </span>
              {flow.active ? t('flow_on') : t('flow_off')}
            </button>
          )}
          {flow && (
            <Versions
              flowId={flowId}
              lang={lang}
              t={t}
              dirty={dirty}
              version={flow.version}
              onRestored={restored}
              onError={setMessage}
            />
          )}
          <div className="button-group" role="group" aria-label={t('edit_group')}>
            <button
              type="button"
              className="secondary"
              onClick={undo}
              disabled={!canUndo}
              title={t('undo_hint')}
              data-testid="undo"
            >
              {t('undo')}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={redo}
              disabled={!canRedo}
              title={t('redo_hint')}
              data-testid="redo"
            >
              {t('redo')}
            </button>
          </div>
          <button type="button" className="secondary" onClick={tidy} disabled={!flow} title={t('auto_layout_hint')}>
            {t('auto_layout')}
          </button>
          <button type="button" className="secondary" onClick={() => fitView({ ...FIT, duration: 200 })}>
            {t('fit')}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={openTest}
            disabled={readOnly || !flow || saving || running}
          >
            {running ? t('testing') : t('test')}
          </button>
          <button type="button" onClick={save} disabled={readOnly || !flow || saving}>
            {saving ? t('saving') : t('save')}
          </button>
        </div>
        {flow && (
          <Webhook
            flow={flow}
            setup={triggerSpec && triggerSpec.setup ? localized(triggerSpec.setup, lang) : null}
            listening={listening}
            onListen={listening ? stopListening : listen}
            t={t}
          />
        )}
        {testOpen && (
          <TestDialog
            text={payloadText ?? example}
            example={example}
            onChange={setPayloadText}
            onRun={test}
            onClose={closeTest}
            t={t}
          />
        )}
        <div className="workspace">
          {catalog && !readOnly ? (
            <Palette catalog={catalog} lang={lang} t={t} onAdd={addNode} dragType={DRAG_TYPE} />
          ) : (
            <aside className="palette">{readOnly && <p className="hint">{t('read_only')}</p>}</aside>
          )}
          <div className="canvas" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop}>
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={NODE_TYPES}
              onNodesChange={handleNodesChange}
              onEdgesChange={handleEdgesChange}
              onConnect={onConnect}
              nodesDraggable={!readOnly}
              nodesConnectable={!readOnly}
              onNodeDragStart={onNodeDragStart}
              onNodeDragStop={onNodeDragStop}
              onBeforeDelete={onBeforeDelete}
              deleteKeyCode={readOnly ? null : DELETE_KEYS}
              defaultEdgeOptions={EDGE_OPTIONS}
              minZoom={MIN_ZOOM}
              fitView
              fitViewOptions={FIT}
              proOptions={PRO_OPTIONS}
            >
              <Background gap={20} color="#d9dee8" />
              <Controls showInteractive={false} />
              <MiniMap
                pannable
                zoomable
                maskColor="rgba(238, 241, 246, 0.75)"
                nodeColor={minimapColour}
              />
            </ReactFlow>
            {notice && (
              <div className="notice" role="status" data-testid="notice">
                {notice}
              </div>
            )}
            {(problemCount > 0 || message) && (
              <div className="problems" role="alert" data-testid="problems">
                {message && <p>{message}</p>}
                {problemCount > 0 && (
                  <>
                    <strong>{t('cannot_save')}</strong>
                    <ul>
                      {Object.entries(problems.byNode).map(([id, list]) =>
                        list.map((p, i) => {
                          const node = nodes.find((n) => n.id === id);
                          const spec = node && catalog[node.data.type];
                          const name = (node && node.data.name) || (spec ? localized(spec.title, lang) : id);
                          return (
                            <li key={`${id}-${i}`}>
                              <button
                                type="button"
                                className="link"
                                onClick={() =>
                                  setNodes((current) => current.map((n) => ({ ...n, selected: n.id === id })))
                                }
                              >
                                {t('step_problem', { name })}
                              </button>
                              : {p.message}
                            </li>
                          );
                        }),
                      )}
                      {problems.general.map((p, i) => (
                        <li key={`g-${i}`}>{p.message}</li>
                      ))}
                    </ul>
                  </>
                )}
              </div>
            )}
          </div>
          <NodePanel
            node={selected}
            spec={selected ? catalog && catalog[selected.data.type] : null}
            lang={lang}
            t={t}
            problems={selected ? problems.byNode[selected.id] || [] : []}
            step={selected && run ? run.steps[selected.id] : null}
            scope={scope}
            onChange={(patch) => selected && updateNodeData(selected.id, patch)}
            onDelete={() => selected && deleteNode(selected.id)}
          />
        </div>
      </div>
    </EditorContext.Provider>
  );
}

function stepsById(execution) {
  return Object.fromEntries((execution.steps || []).map((s) => [s.node_id, s]));
}

const KIND_COLOURS = { trigger: '#7c3aed', transform: '#0e7490', action: '#c2410c' };

function kindColour(catalog, node) {
  const spec = catalog && catalog[node.data.type];
  return (spec && KIND_COLOURS[spec.kind]) || '#94a3b8';
}

export default function App(props) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}
