// The side panel's account picker: the merchant's credentials for the node's connector,
// "none", and "New account…" (a small form generated from the connector's auth schema).
// Secrets are never shown again: a chosen account shows its name and "secret set".
import { useEffect, useState } from 'react';
import { api } from './api.js';
import { accountsFor, authData, authFields, errorsByField, withCredential } from './credentials.js';

const NEW = '__new__';

function NewAccount({ spec, t, onCreated, onCancel }) {
  const fields = authFields(spec.auth);
  const [name, setName] = useState('');
  const [values, setValues] = useState({});
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setErrors({});
    try {
      const created = await api('POST', '/api/credentials', {
        connector: spec.connector,
        name,
        data: authData(fields, values),
      });
      onCreated(created);
    } catch (err) {
      if (err.status === 422 && err.errors.length) setErrors(errorsByField(err.errors));
      else setErrors({ '': [t('account_create_failed', { message: err.message })] });
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
            value={values[f.name] ?? ''}
            onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
          />
          {errorList(f.name)}
        </div>
      ))}
      {errorList('')}
      <div className="new-account-buttons">
        <button type="button" onClick={submit} disabled={busy}>
          {t('account_create')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
}

export default function Account({ node, spec, t, onChange }) {
  const [credentials, setCredentials] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    let live = true;
    api('GET', '/api/credentials')
      .then((data) => live && setCredentials((data && data.credentials) || []))
      .catch((err) => live && setLoadError(err.message));
    return () => {
      live = false;
    };
  }, []);
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
        </p>
      )}
      {creating && (
        <NewAccount
          spec={spec}
          t={t}
          onCancel={() => setCreating(false)}
          onCreated={(created) => {
            setCredentials((list) =>
              [...(list || []), created].sort((a, b) => a.name.localeCompare(b.name)),
            );
            setCreating(false);
            choose(String(created.id));
          }}
        />
      )}
    </section>
  );
}
