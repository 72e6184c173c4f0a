// The flow being edited: the node catalog, the flow record, its graph as React Flow nodes and
// edges, whether it has unsaved changes, saving it (with the server's problems), switching it
// on and off, and replacing it by a restored version.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useEdgesState, useNodesState, useReactFlow } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.js';
import { fromReactFlow, problemsByNode, toReactFlow } from '../graph.js';

export const FIT = { padding: 0.3, maxZoom: 1.2 };
const NO_PROBLEMS = { byNode: {}, general: [] };

export function useFlowDocument(flowId, { report }) {
  const { t } = useTranslation();
  const { fitView } = useReactFlow();
  const [catalog, setCatalog] = useState(null);
  const [flow, setFlow] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [nodes, setNodes, onNodesChange] = useNodesState([]);
  const [edges, setEdges, onEdgesChange] = useEdgesState([]);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [switching, setSwitching] = useState(false);
  const [problems, setProblems] = useState(NO_PROBLEMS);
  const [warnings, setWarnings] = useState(NO_PROBLEMS);
  // The latest graph, for callbacks that must not change on every edit.
  const latest = useRef({ nodes, edges });
  latest.current = { nodes, edges };

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

  const save = useCallback(async () => {
    const graph = fromReactFlow(nodes, edges);
    setSaving(true);
    report(null);
    try {
      const reply = await api('PUT', `/api/flows/${flowId}`, { name: flow.name, graph });
      setFlow(reply);
      setProblems(NO_PROBLEMS);
      setWarnings(problemsByNode(reply.warnings || [], graph));
      setDirty(false);
      return true;
    } catch (err) {
      // One account of why, never the last attempt's problems beside this one's message.
      if (err.status === 422 && err.errors.length) {
        setProblems(problemsByNode(err.errors, graph));
      } else {
        setProblems(NO_PROBLEMS);
        report(t('save_failed', { message: err.message }));
      }
      setWarnings(NO_PROBLEMS);
      return false;
    } finally {
      setSaving(false);
    }
  }, [nodes, edges, flow, flowId, report, t]);

  const rename = useCallback((name) => {
    setFlow((current) => ({ ...current, name }));
    setDirty(true);
  }, []);

  // A refused switch-on that can be done by hand: { message, url, nodeId } for the dialog.
  const [refusal, setRefusal] = useState(null);

  /** Switch on or off; `signingSecret`: the webhook was set up by hand in the shop's admin.
   * Resolves to the reason it failed, or null. */
  const switchTo = useCallback(
    async (on, signingSecret) => {
      setSwitching(true);
      try {
        const body = signingSecret ? { signing_secret: signingSecret } : undefined;
        const reply = await api('POST', `/api/flows/${flowId}/${on ? 'activate' : 'deactivate'}`, body);
        setFlow((current) => ({ ...current, active: reply.active, webhooks: reply.webhooks }));
        setRefusal(null);
        return null;
      } catch (err) {
        const byHand = on && err.problem.set_up_by_hand;
        if (byHand && !signingSecret) {
          setRefusal({ message: err.message, url: byHand.url, nodeId: byHand.node_id });
        } else if (!signingSecret) {
          report(t(on ? 'activate_failed' : 'deactivate_failed', { message: err.message }));
        }
        return err.message;
      } finally {
        setSwitching(false);
      }
    },
    [flowId, report, t],
  );

  const toggleActive = useCallback(async () => {
    if (!flow) return;
    const on = !flow.active;
    if (on && dirty && !(await save())) return;
    report(null);
    await switchTo(on);
  }, [flow, dirty, save, switchTo, report]);

  const switchOnByHand = useCallback((secret) => switchTo(true, secret), [switchTo]);
  const closeRefusal = useCallback(() => setRefusal(null), []);

  /** Show a flow the server sent back (a restored version) as saved. */
  const replace = useCallback(
    (reply) => {
      const converted = toReactFlow(reply.graph);
      setNodes(converted.nodes);
      setEdges(converted.edges);
      setFlow(reply);
      setProblems(NO_PROBLEMS);
      setWarnings(NO_PROBLEMS);
      setDirty(false);
      requestAnimationFrame(() => fitView(FIT));
    },
    [setNodes, setEdges, fitView],
  );

  return {
    catalog,
    flow,
    loadError,
    nodes,
    edges,
    setNodes,
    setEdges,
    onNodesChange,
    onEdgesChange,
    latest,
    dirty,
    setDirty,
    saving,
    save,
    switching,
    toggleActive,
    refusal,
    switchOnByHand,
    closeRefusal,
    rename,
    replace,
    problems,
    warnings,
  };
}
