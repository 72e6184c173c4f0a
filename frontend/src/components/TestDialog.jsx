// The Test button's dialog: the data to start the test run with, the trigger's example by
// default (or the trigger's test data), the event of a past run, or whatever the merchant pastes
// (checked to be JSON before it is sent).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseJson } from '../api.js';
import { statusText } from '../i18n.js';

/** The pasted text as a payload, or the reason it is not one. */
export function readPayload(text) {
  if (!text.trim()) return { error: 'empty' };
  try {
    return { payload: parseJson(text) };
  } catch (err) {
    return { error: 'invalid', detail: err.message };
  }
}

/** The flow's past runs to take an event from, newest first. */
function PastRuns({ runs, onTake }) {
  const { t } = useTranslation();
  const [chosen, setChosen] = useState('');
  if (runs === null) return null;
  if (!runs.length) return <p className="hint">{t('test_no_runs')}</p>;
  const picked = chosen || runs[0].id;
  return (
    <div className="past-runs">
      <label className="field-label" htmlFor="test-past-run">
        {t('test_past_run')}
      </label>
      <div className="add-entry">
        <select id="test-past-run" value={picked} onChange={(e) => setChosen(e.target.value)}>
          {runs.map((run) => (
            <option key={run.id} value={run.id}>
              {t('test_run_option', {
                time: new Date(run.created_at),
                status: statusText(t, run.status),
                kind: t(['manual', 'test'].includes(run.mode) ? 'run_kind_test' : 'run_kind_live'),
              })}
            </option>
          ))}
        </select>
        <button type="button" className="secondary" onClick={() => onTake(picked)}>
          {t('test_use_run')}
        </button>
      </div>
    </div>
  );
}

export default function TestDialog({ text, example, pinned, runs, onChange, onTakeRun, onTakeExample, onRun, onClose }) {
  const { t } = useTranslation();
  const [problem, setProblem] = useState(null);
  const area = useRef(null);
  useEffect(() => {
    area.current?.focus();
    const escape = (event) => event.key === 'Escape' && onClose();
    document.addEventListener('keydown', escape);
    return () => document.removeEventListener('keydown', escape);
  }, [onClose]);

  const run = () => {
    const read = readPayload(text);
    if (read.error === 'empty') setProblem(t('payload_empty'));
    else if (read.error) setProblem(t('payload_invalid', { message: read.detail }));
    else onRun(read.payload);
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="test-title" data-testid="test-dialog">
        <h2 id="test-title">{t('test_title')}</h2>
        <p className="hint">{t('test_hint')}</p>
        <label className="field-label" htmlFor="test-payload">
          {t('payload')}
        </label>
        <textarea
          id="test-payload"
          ref={area}
          rows={14}
          spellCheck={false}
          value={text}
          onChange={(e) => {
            onChange(e.target.value);
            setProblem(null);
          }}
        />
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        {pinned && (
          <p className="hint" data-testid="test-data-pinned">
            {t('test_data_pinned')}
          </p>
        )}
        <PastRuns
          runs={runs}
          onTake={(id) => {
            setProblem(null);
            onTakeRun(id);
          }}
        />
        <div className="modal-actions">
          <button type="button" className="secondary" onClick={onTakeExample} disabled={text === example && !pinned}>
            {t('use_example')}
          </button>
          <div className="spacer" />
          <button type="button" className="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="button" onClick={run}>
            {t('run_test')}
          </button>
        </div>
      </div>
    </div>
  );
}
