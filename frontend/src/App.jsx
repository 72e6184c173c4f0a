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
import { api } from './api.js';
import { EditorContext } from './context.js';
import FlowNode from './FlowNode.jsx';
import { edgeId, freshId, fromReactFlow, problemsByNode, toReactFlow } from './graph.js';
import { localized, translator } from './i18n.js';
import NodePanel from './NodePanel.jsx';
import Palette from './Palette.jsx';
import { initialParams } from './ParamForm.jsx';

const NODE_TYPES = { flowNode: FlowNode };
const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'canceled', 'skipped']);
const DRAG_TYPE = 'application/x-shopwire-node';
const POLL_MS = 500;
const POLL_LIMIT = 240; // two minutes: then the run is left to the executions list

function Editor({ flowId, lang }) {
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
  const [run, setRun] = useState(null);
  const { fitView, screenToFlowPosition } = useReactFlow();
  const wrapper = useRef(null);
  const pollTimer = useRef(null);

  useEffect(() => {
    Promise.all([api('GET', '/api/nodes'), api('GET', `/api/flows/${flowId}`)])
      .then(([nodesReply, flowReply]) => {
        setCatalog(Object.fromEntries(nodesReply.nodes.map((spec) => [spec.key, spec])));
        const converted = toReactFlow(flowReply.graph);
        setNodes(converted.nodes);
        setEdges(converted.edges);
        setFlow(flowReply);
        requestAnimationFrame(() => fitView({ padding: 0.3, maxZoom: 1.2 }));
      })
      .catch((err) => setLoadError(err.message));
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

  const handleNodesChange = useCallback(
    (changes) => {
      if (changes.some((c) => ['remove', 'add', 'position', 'replace'].includes(c.type))) {
        setDirty(true);
      }
      onNodesChange(changes);
    },
    [onNodesChange],
  );

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
      setEdges((current) =>
        addEdge(
          { ...connection, sourceHandle: port, id: edgeId(connection.source, connection.target, port) },
          current,
        ),
      );
      setDirty(true);
    },
    [setEdges],
  );

  const addNode = useCallback(
    (spec, position) => {
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
      setNodes((current) => [...current.map((n) => ({ ...n, selected: false })), node]);
      const afterSpec = after && catalog[after.data.type];
      if (after && spec.kind !== 'trigger') {
        const port = (afterSpec && afterSpec.ports && afterSpec.ports[0]) || 'main';
        setEdges((current) => [
          ...current,
          { id: edgeId(after.id, id, port), source: after.id, target: id, sourceHandle: port },
        ]);
      }
      setDirty(true);
    },
    [nodes, catalog, setNodes, setEdges],
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
      setNodes((current) =>
        current.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)),
      );
      setDirty(true);
    },
    [setNodes],
  );

  const deleteNode = useCallback(
    (id) => {
      setNodes((current) => current.filter((n) => n.id !== id));
      setEdges((current) => current.filter((e) => e.source !== id && e.target !== id));
      setDirty(true);
    },
    [setNodes, setEdges],
  );

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
        const steps = Object.fromEntries((execution.steps || []).map((s) => [s.node_id, s]));
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

  const test = useCallback(async () => {
    clearTimeout(pollTimer.current);
    const trigger = nodes.find((n) => catalog[n.data.type]?.kind === 'trigger');
    if (!trigger) {
      setMessage(t('no_trigger'));
      return;
    }
    if (dirty && !(await save())) return;
    const spec = catalog[trigger.data.type];
    const payload = spec.output_example ?? {};
    setRun({ status: 'queued', steps: {} });
    try {
      const execution = await api('POST', `/api/flows/${flowId}/run`, { payload });
      setRun({ id: execution.id, status: execution.status, steps: {} });
      pollTimer.current = setTimeout(() => poll(execution.id), POLL_MS);
    } catch (err) {
      setRun(null);
      setMessage(t('run_failed', { message: err.message }));
    }
  }, [nodes, catalog, dirty, save, flowId, poll, t]);

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
          {run && (
            <span className={`run-state ${run.status}`} data-testid="run-state">
              {t('run_status', { status: t(`status_${run.status}`) })}
            </span>
          )}
          <div className="spacer" />
          <button type="button" className="secondary" onClick={() => fitView({ padding: 0.3, duration: 200 })}>
            {t('fit')}
          </button>
          <button type="button" className="secondary" onClick={test} disabled={!flow || saving || running}>
            {running ? t('testing') : t('test')}
          </button>
          <button type="button" onClick={save} disabled={!flow || saving}>
            {saving ? t('saving') : t('save')}
          </button>
        </div>
        <div className="workspace">
          {catalog ? <Palette catalog={catalog} lang={lang} t={t} onAdd={addNode} dragType={DRAG_TYPE} /> : <aside className="palette" />}
          <div className="canvas" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop}>
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={NODE_TYPES}
              onNodesChange={handleNodesChange}
              onEdgesChange={handleEdgesChange}
              onConnect={onConnect}
              deleteKeyCode={['Delete', 'Backspace']}
              defaultEdgeOptions={{ type: 'smoothstep' }}
              fitView
              fitViewOptions={{ padding: 0.3, maxZoom: 1.2 }}
              proOptions={{ hideAttribution: true }}
            >
              <Background gap={20} color="#d9dee8" />
              <Controls showInteractive={false} />
              <MiniMap
                pannable
                zoomable
                maskColor="rgba(238, 241, 246, 0.75)"
                nodeColor={(n) => kindColour(catalog, n)}
              />
            </ReactFlow>
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
            onChange={(patch) => selected && updateNodeData(selected.id, patch)}
            onDelete={() => selected && deleteNode(selected.id)}
          />
        </div>
      </div>
    </EditorContext.Provider>
  );
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
