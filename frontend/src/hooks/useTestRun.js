// Test runs: start one with a payload, or wait for an event at the test address; then follow
// the execution until it finishes, and retry it from the failed step. The last run of the flow
// (before this page opened) feeds the mapping panel until a new one starts.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.js';

export const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);
const POLL_MS = 500;
const POLL_LIMIT = 240; // two minutes: then the run is left to the executions list
const LISTEN_MS = 120_000; // how long "Wait for a test event" waits
const LISTEN_POLL_MS = 1000;

export function stepsById(execution) {
  return Object.fromEntries((execution.steps || []).map((s) => [s.node_id, s]));
}

function newestExecution(flowId) {
  return api('GET', `/api/executions?flow_id=${encodeURIComponent(flowId)}&limit=1`).then(
    (reply) => reply.executions[0],
  );
}

export function useTestRun(flowId, { dirty, save, report }) {
  const { t } = useTranslation();
  const [run, setRun] = useState(null);
  const [lastSteps, setLastSteps] = useState({});
  const [listening, setListening] = useState(false);
  const timer = useRef(null);

  useEffect(() => {
    newestExecution(flowId)
      .then((execution) => execution && api('GET', `/api/executions/${execution.id}`))
      .then((execution) => execution && setLastSteps(stepsById(execution)))
      .catch(() => {});
  }, [flowId]);

  useEffect(() => () => clearTimeout(timer.current), []);

  const follow = useCallback(async (executionId, count = 0) => {
    try {
      const execution = await api('GET', `/api/executions/${executionId}`);
      const stopped = count >= POLL_LIMIT;
      setRun({
        id: executionId,
        status: execution.status,
        steps: stepsById(execution),
        error: execution.error,
        stopped,
      });
      if (!FINISHED.has(execution.status) && !stopped) {
        timer.current = setTimeout(() => follow(executionId, count + 1), POLL_MS);
      }
    } catch (err) {
      setRun((current) => ({ ...(current || {}), status: 'failed', error: { message: err.message } }));
    }
  }, []);

  const start = useCallback(
    async (payload) => {
      clearTimeout(timer.current);
      if (dirty && !(await save())) return;
      setRun({ status: 'queued', steps: {} });
      try {
        const execution = await api('POST', `/api/flows/${flowId}/run`, { payload });
        setRun({ id: execution.id, status: execution.status, steps: {} });
        timer.current = setTimeout(() => follow(execution.id), POLL_MS);
      } catch (err) {
        setRun(null);
        report(t('run_failed', { message: err.message }));
      }
    },
    [dirty, save, flowId, follow, report, t],
  );

  // The test address runs the saved flow: wait for the next execution to appear, then follow it.
  const listen = useCallback(async () => {
    clearTimeout(timer.current);
    if (dirty && !(await save())) return;
    const seen = (await newestExecution(flowId))?.id;
    const started = Date.now();
    setListening(true);
    const check = async () => {
      const latest = await newestExecution(flowId).catch(() => null);
      if (latest && latest.id !== seen) {
        setListening(false);
        setRun({ id: latest.id, status: latest.status, steps: {} });
        follow(latest.id);
      } else if (Date.now() - started > LISTEN_MS) {
        setListening(false);
        report(t('listen_timeout'));
      } else {
        timer.current = setTimeout(check, LISTEN_POLL_MS);
      }
    };
    check();
  }, [dirty, save, flowId, follow, report, t]);

  const stopListening = useCallback(() => {
    clearTimeout(timer.current);
    setListening(false);
  }, []);

  const retry = useCallback(async () => {
    if (!run || !run.id) return;
    clearTimeout(timer.current);
    const id = run.id;
    setRun((current) => ({ ...current, status: 'queued', error: null }));
    try {
      await api('POST', `/api/executions/${id}/retry`);
      timer.current = setTimeout(() => follow(id), POLL_MS);
    } catch (err) {
      report(t('retry_failed', { message: err.message }));
      follow(id);
    }
  }, [run, follow, report, t]);

  const running = !!run && !FINISHED.has(run.status) && !run.stopped;
  // The steps the mapping panel shows: this page's run once it has any, else the last one.
  const shownSteps = run && run.steps && Object.keys(run.steps).length ? run.steps : lastSteps;

  return { run, running, shownSteps, start, listening, listen, stopListening, retry };
}
