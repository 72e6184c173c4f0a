// The side panel's account picker: the merchant's credentials for the node's connector,
// "none", and "New account…" (a small form generated from the connector's auth schema).
// Secrets are never shown again: a chosen account shows its name and "secret set"; it can be
// changed (a secret left empty is kept), tested, and signed in to (OAuth 2 connectors).
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.js';
import { accountsFor, authData, authFields, errorsByField, withCredential } from '../credentials.js';

const NEW = '__new__';

function AccountForm({ spec, existing, onSaved, onCancel }) {
  const { t } = useTranslation();
  const fields = authFields(spec.auth);
  const [name, setName] = useState(existing ? existing.name : '');
  const [values, setValues] = useState({});
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setErrors({});
    try {
      const data = authData(fields, values);
      const saved = existing
        ? await api('PATCH', `/api/credentials/${existing.id}`, { name, data })
        : await api('POST', '/api/credentials', { connector: spec.connector, name, data });
      onSaved(saved);
    } catch (err) {
      if (err.status === 422 && err.errors.length) setErrors(errorsByField(err.errors));
      else {
        const key = existing ? 'account_save_failed' : 'account_create_failed';
        setErrors({ '': [t(key, { message: err.message })] });
      }
    } finally {
      setBusy(false);
    }
  };
  const errorList = (key) =>
    (errors[key] || []).map((message, i) => (
      <p className="field-error" role="alert" key={i}>
        {message}
      </p>
    ));
  return (
    <div className="new-account" data-testid="new-account">
      <div className={`field${errors.name ? ' has-error' : ''}`}>
        <label htmlFor="account-name">{t('account_name')}</label>
        <input
          id="account-name"
          type="text"
          value={name}
          autoComplete="off"
          onChange={(e) => setName(e.target.value)}
        />
        {errorList('name')}
      </div>
      {fields.map((f) => (
        <div className={`field${errors[f.name] ? ' has-error' : ''}`} key={f.name} data-field={f.name}>
          <label htmlFor={`account-${f.name}`}>
            {f.title}
            {f.required && (
              <span className="required" title={t('field_required')}>
                {' '}
                *
              </span>
            )}
          </label>
          <input
            id={`account-${f.name}`}
            type={f.secret ? 'password' : f.type === 'number' ? 'number' : 'text'}
            autoComplete={f.secret ? 'new-password' : 'off'}
            placeholder={
              existing && f.secret && existing.fields[f.name] ? t('secret_keep') : undefined
            }
            value={values[f.name] ?? (existing && !f.secret ? (existing.fields[f.name] ?? '') : '')}
            onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
          />
          {errorList(f.name)}
        </div>
      ))}
      {existing && <p className="hint">{t('account_secret_hint')}</p>}
      {errorList('')}
      <div className="new-account-buttons">
        <button type="button" onClick={submit} disabled={busy}>
          {t(existing ? 'account_save' : 'account_create')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
}

export default function Account({ node, spec, onChange }) {
  const { t } = useTranslation();
  const [credentials, setCredentials] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(
    () =>
      api('GET', '/api/credentials')
        .then((data) => setCredentials((data && data.credentials) || []))
        .catch((err) => setLoadError(err.message)),
    [],
  );
  useEffect(() => {
    load();
    // Back from signing in at the provider in another window: show the new status.
    window.addEventListener('focus', load);
    return () => window.removeEventListener('focus', load);
  }, [load]);
  const replace = (saved) =>
    setCredentials((list) =>
      [...(list || []).filter((c) => c.id !== saved.id), saved].sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    );
  const testConnection = async (credential) => {
    setBusy(true);
    setNotice(null);
    try {
      const result = await api('POST', `/api/credentials/${credential.id}/test`);
      setNotice({
        ok: result.ok,
        // A success is the server's own sentence ("The connection works."), said once.
        text: result.ok ? result.message : t('connection_failed', { message: result.message }),
      });
    } catch (err) {
      setNotice({ ok: false, text: t('connection_failed', { message: err.message }) });
    } finally {
      setBusy(false);
    }
  };
  const signIn = async (credential) => {
    setNotice(null);
    try {
      const { authorize_url: url } = await api('POST', `/api/credentials/${credential.id}/oauth`);
      window.open(url, '_blank', 'noopener');
      setNotice({ ok: true, text: t('oauth_hint') });
    } catch (err) {
      setNotice({ ok: false, text: t('oauth_failed', { message: err.message }) });
    }
  };
  const extra = node.data.extra || {};
  const chosenId = extra.credential ? String(extra.credential) : '';
  const accounts = accountsFor(credentials, spec.connector);
  const chosen = accounts.find((c) => String(c.id) === chosenId);
  const secrets = authFields(spec.auth).filter((f) => f.secret);
  const choose = (id) => onChange({ extra: withCredential(extra, id) });
  return (
    <section className="account" data-testid="account">
      <label className="field-label" htmlFor="node-account">
        {t('account')}
      </label>
      <select
        id="node-account"
        value={creating ? NEW : chosenId}
        disabled={credentials === null && !loadError}
        onChange={(e) => {
          if (e.target.value === NEW) {
            setCreating(true);
            return;
          }
          setCreating(false);
          setEditing(false);
          setNotice(null);
          choose(e.target.value);
        }}
      >
        <option value="">{t('account_none')}</option>
        {chosenId && !chosen && credentials !== null && (
          <option value={chosenId}>{t('account_missing')}</option>
        )}
        {chosenId && credentials === null && <option value={chosenId}>{t('loading_short')}</option>}
        {accounts.map((c) => (
          <option key={String(c.id)} value={String(c.id)}>
            {c.name}
          </option>
        ))}
        <option value={NEW}>{t('account_new')}</option>
      </select>
      {loadError && (
        <p className="field-error" role="alert">
          {t('accounts_failed', { message: loadError })}
        </p>
      )}
      {chosen && !creating && (
        <div>
          <p className="hint" data-testid="account-chosen">
            <strong>{chosen.name}</strong>
            {secrets
              .filter((f) => chosen.fields && chosen.fields[f.name] && chosen.fields[f.name].set)
              .map((f) => (
                <span key={f.name} className="secret-set">
                  {' · '}
                  {secrets.length > 1 ? `${f.title}: ` : ''}
                  {t('secret_set')}
                </span>
              ))}
            {chosen.oauth && chosen.status !== 'reconnect' && (
              <span className="oauth-state">
                {' · '}
                {t(chosen.oauth.connected ? 'oauth_connected' : 'oauth_not_connected')}
              </span>
            )}
          </p>
          {chosen.status === 'reconnect' && (
            <p className="field-error" role="alert" data-testid="reconnect">
              {t('oauth_reconnect', { message: chosen.status_message || '' })}
            </p>
          )}
          <div className="new-account-buttons">
            {chosen.oauth && (
              <button type="button" onClick={() => signIn(chosen)}>
                {t('oauth_connect')}
              </button>
            )}
            {chosen.testable && (
              <button
                type="button"
                className="secondary"
                disabled={busy}
                onClick={() => testConnection(chosen)}
              >
                {t(busy ? 'connection_testing' : 'connection_test')}
              </button>
            )}
            <button type="button" className="secondary" onClick={() => setEditing(!editing)}>
              {t('account_edit')}
            </button>
          </div>
          {notice && (
            <p
              className={notice.ok ? 'hint' : 'field-error'}
              role={notice.ok ? 'status' : 'alert'}
              data-testid="account-notice"
            >
              {notice.text}
            </p>
          )}
          {editing && (
            <AccountForm
              key={chosen.id}
              spec={spec}
              existing={chosen}
              onCancel={() => setEditing(false)}
              onSaved={(saved) => {
                replace(saved);
                setEditing(false);
              }}
            />
          )}
        </div>
      )}
      {creating && (
        <AccountForm
          spec={spec}
          onCancel={() => setCreating(false)}
          onSaved={(created) => {
            replace(created);
            setCreating(false);
            choose(String(created.id));
          }}
        />
      )}
    </section>
  );
}
