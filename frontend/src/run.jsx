// The execution page's inspector: every step of the run (a live run as much as a test run), shown
// in the editor's own StepInspector. A step is chosen in the list beside it, or by a link to
// #step=<id> from the timeline above; the failed step is shown first.
import { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { api } from './api.js';
import { createI18n, statusText } from './i18n.js';
import StepInspector from './components/StepInspector.jsx';

function stepInHash() {
  const found = /^#step=(.+)$/.exec(window.location.hash);
  return found ? decodeURIComponent(found[1]) : null;
}

// A run still going is fetched again at these intervals (ms); once it has ended, the page is
// loaded again, so its timeline, status and files say how it ended.
const FOLLOW_EVERY = { queued: 2000, running: 2000, waiting: 30000 };

function RunSteps({ executionId, titles }) {
  const { t } = useTranslation();
  const [execution, setExecution] = useState(null);
  const [problem, setProblem] = useState(null);
  const [chosen, setChosen] = useState(stepInHash);
  const shown = useRef(null);

  useEffect(() => {
    api('GET', `/api/executions/${encodeURIComponent(executionId)}`)
      .then(setExecution)
      .catch((err) => setProblem(err.message));
  }, [executionId]);

  useEffect(() => {
    const every = execution && FOLLOW_EVERY[execution.status];
    if (!every) return undefined;
    const timer = setTimeout(() => {
      api('GET', `/api/executions/${encodeURIComponent(executionId)}`)
        .then((next) => (FOLLOW_EVERY[next.status] ? setExecution(next) : window.location.reload()))
        .catch(() => setExecution({ ...execution })); // try again at the next interval
    }, every);
    return () => clearTimeout(timer);
  }, [execution, executionId]);

  useEffect(() => {
    const follow = () => {
      setChosen(stepInHash());
      shown.current?.scrollIntoView({ block: 'start' });
    };
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);

  if (!execution) {
    return <p className={problem ? 'bad' : 'muted'}>{problem ? t('run_load_failed', { message: problem }) : t('loading_short')}</p>;
  }
  const steps = execution.steps || [];
  if (!steps.length) return null;
  const step =
    steps.find((s) => s.node_id === chosen) || steps.find((s) => s.status === 'failed') || steps[0];
  const title = (s) => titles[s.node_id] || s.node_id;
  return (
    <div className="run-steps" ref={shown}>
      <div className="run-step-list" role="tablist" aria-label={t('run_steps')}>
        {steps.map((s) => (
          <button
            key={s.node_id}
            type="button"
            role="tab"
            aria-selected={s === step}
            className={s === step ? 'chosen' : ''}
            data-step={s.node_id}
            onClick={() => setChosen(s.node_id)}
          >
            <span className="run-step-title">{title(s)}</span>
            <span className={`step-badge ${s.status}`}>{statusText(t, s.status)}</span>
          </button>
        ))}
      </div>
      <div role="tabpanel" data-testid="step-inspector" data-step={step.node_id}>
        <StepInspector key={step.node_id} step={step} title={title(step)} />
      </div>
    </div>
  );
}

const mount = document.getElementById('run-steps');
if (mount) {
  createRoot(mount).render(
    <I18nextProvider i18n={createI18n(mount.dataset.lang || 'en')}>
      <RunSteps executionId={mount.dataset.executionId} titles={JSON.parse(mount.dataset.titles || '{}')} />
    </I18nextProvider>,
  );
}
