// The side panel for the selected node: its name, its settings, and its last test run.
import { lazy, Suspense, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { localized } from '../i18n.js';
import { ScopeContext } from './Mapping.jsx';
import StepInspector from './StepInspector.jsx';

// The form library is half the editor's code: it loads beside the flow, not before the canvas.
const paramForm = import('../form/ParamForm.jsx');
const ParamForm = lazy(() => paramForm);

/** `extra` with `key` set to `value`, or without `key` when `value` is undefined. */
function withKey(extra, key, value) {
  const { [key]: _old, ...rest } = extra;
  return value === undefined ? rest : { ...rest, [key]: value };
}

// What happens when the step fails: the flow document's per-node `on_error` and `retry`.
function ErrorHandling({ extra, spec, onChange }) {
  const { t } = useTranslation();
  const retry = extra.retry || {};
  const setRetry = (key, text) => {
    const next = withKey(retry, key, text === '' ? undefined : Number(text));
    onChange({ extra: withKey(extra, 'retry', Object.keys(next).length ? next : undefined) });
  };
  return (
    <>
      <h3>{t('on_error')}</h3>
      <select
        id="node-on-error"
        aria-label={t('on_error')}
        value={extra.on_error || 'fail'}
        onChange={(e) => {
          const value = e.target.value;
          onChange({ extra: withKey(extra, 'on_error', value === 'fail' ? undefined : value) });
        }}
      >
        {['fail', 'continue', 'branch'].map((mode) => (
          <option key={mode} value={mode}>
            {t(`on_error_${mode}`)}
          </option>
        ))}
      </select>
      <label className="field-label" htmlFor="node-retry-attempts">
        {t('retry_attempts')}
      </label>
      <input
        id="node-retry-attempts"
        type="number"
        min={1}
        max={10}
        step={1}
        placeholder={String(spec.retry.attempts)}
        value={retry.attempts ?? ''}
        onChange={(e) => setRetry('attempts', e.target.value)}
      />
      <label className="field-label" htmlFor="node-retry-backoff">
        {t('retry_backoff')}
      </label>
      <input
        id="node-retry-backoff"
        type="number"
        min={0}
        max={300}
        step="any"
        placeholder={String(spec.retry.backoff_seconds)}
        value={retry.backoff_seconds ?? ''}
        onChange={(e) => setRetry('backoff_seconds', e.target.value)}
      />
    </>
  );
}

export default function NodePanel({ node, spec, problems, step, scope, onChange, onDelete }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const panel = useRef(null);
  const nodeId = node ? node.id : null;
  // Another step starts at the top, where its last run and error are.
  useEffect(() => {
    if (panel.current) panel.current.scrollTop = 0;
  }, [nodeId]);
  if (!node) {
    return (
      <aside className="panel" aria-label={t('nothing_selected')}>
        <h2>{t('nothing_selected')}</h2>
        <p className="muted">{t('nothing_selected_hint')}</p>
      </aside>
    );
  }
  const data = node.data;
  const title = spec ? localized(spec.title, lang) : data.type;
  const general = problems.filter((p) => !p.field || !spec?.params?.properties?.[p.field]);
  return (
    <aside className="panel" aria-label={title} data-panel-node={node.id} ref={panel}>
      <div className={`panel-kind kind-${spec ? spec.kind : 'unknown'}`}>
        {spec ? t(`kind_one_${spec.kind}`) : t('unknown_type')}
      </div>
      <h2>{title}</h2>
      {spec && <p className="muted">{localized(spec.description, lang)}</p>}
      {step && <StepInspector step={step} title={t('last_run')} />}
      {general.map((p, i) => (
        <p className="field-error" role="alert" key={i}>
          {p.message}
        </p>
      ))}
      <label className="field-label" htmlFor="node-name">
        {t('name')}
      </label>
      <input
        id="node-name"
        type="text"
        value={data.name || ''}
        placeholder={title}
        onChange={(e) => onChange({ name: e.target.value === '' ? undefined : e.target.value })}
      />
      <p className="hint">
        {t('step_id')}: <code>{node.id}</code>
      </p>
      <h3>{t('settings')}</h3>
      {spec ? (
        <ScopeContext.Provider value={scope}>
          <Suspense fallback={<p className="muted">{t('loading_short')}</p>}>
            <ParamForm key={node.id} node={node} spec={spec} problems={problems} onChange={onChange} />
          </Suspense>
        </ScopeContext.Provider>
      ) : (
        <p className="muted">{t('unknown_type')}</p>
      )}
      {spec && spec.kind !== 'trigger' && (
        <ErrorHandling extra={data.extra || {}} spec={spec} onChange={onChange} />
      )}
      <button type="button" className="danger" onClick={onDelete}>
        {t('delete_step')}
      </button>
    </aside>
  );
}
