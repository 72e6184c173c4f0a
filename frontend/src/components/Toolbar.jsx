// The bar above the canvas: back to the flows, the flow's name and save state, the test run's
// state, the on/off switch, versions, undo/redo, layout, Test and Save.
import { useTranslation } from 'react-i18next';
import { statusText } from '../i18n.js';
import Versions from './Versions.jsx';

function SaveState({ flow, saving, dirty }) {
  const { t } = useTranslation();
  return (
    <span className={`save-state ${dirty ? 'dirty' : ''}`} data-testid="save-state">
      {!flow ? t('loading') : saving ? t('saving') : dirty ? t('unsaved') : t('saved')}
    </span>
  );
}

function RunState({ run }) {
  const { t } = useTranslation();
  const text = t('run_status', { status: statusText(t, run.status) });
  if (!run.id) {
    return (
      <span className={`run-state ${run.status}`} data-testid="run-state">
        {text}
      </span>
    );
  }
  return (
    <a
      className={`run-state ${run.status}`}
      data-testid="run-state"
      href={`/executions/${run.id}`}
      target="_blank"
      rel="noreferrer"
      title={t('run_details')}
    >
      {text}
    </a>
  );
}

function ActiveSwitch({ active, disabled, onToggle }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      role="switch"
      aria-checked={!!active}
      className={`switch${active ? ' on' : ''}`}
      disabled={disabled}
      onClick={onToggle}
      title={active ? t('switch_off_hint') : t('switch_on_hint')}
    >
      <span className="switch-track" aria-hidden="true">
        <span className="switch-thumb" />
      </span>
      {active ? t('flow_on') : t('flow_off')}
    </button>
  );
}

function UndoRedo({ history }) {
  const { t } = useTranslation();
  return (
    <div className="button-group" role="group" aria-label={t('edit_group')}>
      <button
        type="button"
        className="secondary"
        onClick={history.undo}
        disabled={!history.canUndo}
        title={t('undo_hint')}
        data-testid="undo"
      >
        {t('undo')}
      </button>
      <button
        type="button"
        className="secondary"
        onClick={history.redo}
        disabled={!history.canRedo}
        title={t('redo_hint')}
        data-testid="redo"
      >
        {t('redo')}
      </button>
    </div>
  );
}

export default function Toolbar({ flowId, flowDocument, testRun, history, readOnly, actions }) {
  const { t } = useTranslation();
  const { flow, dirty, saving, switching } = flowDocument;
  const { run, running } = testRun;
  return (
    <div className="toolbar">
      <a className="back" href="/">
        ← {t('flows')}
      </a>
      <input
        className="flow-name"
        aria-label={t('name')}
        value={flow ? flow.name : ''}
        disabled={!flow}
        onChange={(e) => flowDocument.rename(e.target.value)}
      />
      <SaveState flow={flow} saving={saving} dirty={dirty} />
      {run && <RunState run={run} />}
      {run && run.status === 'failed' && run.id && !readOnly && (
        <button type="button" className="secondary" onClick={testRun.retry} data-testid="retry">
          {t('retry')}
        </button>
      )}
      <div className="spacer" />
      {flow && (
        <ActiveSwitch
          active={flow.active}
          disabled={readOnly || switching || saving}
          onToggle={flowDocument.toggleActive}
        />
      )}
      {flow && (
        <Versions
          flowId={flowId}
          dirty={dirty}
          version={flow.version}
          onRestored={actions.restored}
          onError={actions.report}
        />
      )}
      <UndoRedo history={history} />
      <button type="button" className="secondary" onClick={actions.tidy} disabled={!flow} title={t('auto_layout_hint')}>
        {t('auto_layout')}
      </button>
      <button type="button" className="secondary" onClick={actions.fit}>
        {t('fit')}
      </button>
      <button
        type="button"
        className="secondary"
        onClick={actions.test}
        disabled={readOnly || !flow || saving || running}
      >
        {running ? t('testing') : t('test')}
      </button>
      <button type="button" onClick={flowDocument.save} disabled={readOnly || !flow || saving}>
        {saving ? t('saving') : t('save')}
      </button>
    </div>
  );
}
