// What one step of a run did: its status, attempts, error, input and output; for a step inside
// a split, the same for each item, browsed one at a time. The editor's panel shows it for the
// selected step, the execution page for each step of any run.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { toJson } from '../api.js';
import { statusText } from '../i18n.js';

function Data({ label, value, open }) {
  return (
    <details open={open} className="run-data">
      <summary>{label}</summary>
      <pre>{value === undefined || value === null ? '—' : toJson(value, 2)}</pre>
    </details>
  );
}

function StepError({ error }) {
  const { t } = useTranslation();
  const live = error.live_retries;
  return (
    <div className="field-error step-error-text" role="alert">
      <strong>{t('error')}:</strong> {error.message || toJson(error)}
      {error.hint && <div className="hint">{error.hint}</div>}
      {live && (
        <div className="hint" data-testid="live-retries">
          {t('live_would_retry', { count: live.times, seconds: live.seconds })}
        </div>
      )}
      {error.retry_at && (
        <div className="hint">
          {t('next_attempt', { when: new Date(error.retry_at) })}
        </div>
      )}
    </div>
  );
}

/** One run of the step (the step, or one item of it): what it got, gave and went wrong. */
function Attempt({ run }) {
  const { t } = useTranslation();
  return (
    <>
      <p className="step-facts">
        <span className={`step-badge ${run.status}`}>{statusText(t, run.status)}</span>
        {run.attempts > 0 && <span className="muted step-attempts">{t('attempts', { count: run.attempts })}</span>}
      </p>
      {run.error && <StepError error={run.error} />}
      {run.input !== undefined && run.input !== null && (
        <Data label={t('input')} value={run.input} open={run.status === 'failed'} />
      )}
      <Data label={t('output')} value={run.output} open />
    </>
  );
}

/** Item n of a split step, with previous and next; it opens at the first failed item. */
function Items({ items }) {
  const { t } = useTranslation();
  const failed = items.findIndex((item) => item.status === 'failed');
  const [shown, setShown] = useState(failed >= 0 ? failed : 0);
  const index = Math.min(shown, items.length - 1);
  return (
    <div className="step-items" data-testid="step-items">
      <div className="item-nav">
        <button type="button" className="secondary" onClick={() => setShown(index - 1)} disabled={index === 0}>
          {t('item_previous')}
        </button>
        <span data-testid="item-position">{t('item_of', { n: index + 1, total: items.length })}</span>
        <button
          type="button"
          className="secondary"
          onClick={() => setShown(index + 1)}
          disabled={index === items.length - 1}
        >
          {t('item_next')}
        </button>
      </div>
      <Attempt run={items[index]} />
    </div>
  );
}

export default function StepInspector({ step, title }) {
  const { t } = useTranslation();
  const items = step.items || [];
  return (
    <section className="last-run" data-testid="last-run">
      <h3>{title}</h3>
      {items.length ? (
        <>
          <p className="muted">{t('items_ran', { count: items.length })}</p>
          <Items key={items.length} items={items} />
        </>
      ) : (
        <Attempt run={step} />
      )}
    </section>
  );
}
