// rjsf widgets for a secret (writeOnly) parameter and a plain checkbox.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SECRET_SET } from '../credentials.js';

// A stored secret is never sent to the browser: the form shows that it is set, and lets the
// user type a new one (left empty, the stored one is kept).
export function SecretWidget({ id, value, onChange }) {
  const { t } = useTranslation();
  // Until "Replace" is pressed there is no input: the label names the password box after it.
  const [replacing, setReplacing] = useState(value !== SECRET_SET);
  if (!replacing) {
    return (
      <div className="secret-field">
        <span className="secret-set" data-testid="secret-set">
          {t('secret_set')}
        </span>{' '}
        <button type="button" className="secondary" onClick={() => setReplacing(true)}>
          {t('secret_replace')}
        </button>
      </div>
    );
  }
  return (
    <input
      id={id}
      type="password"
      autoComplete="new-password"
      placeholder={value === SECRET_SET ? t('secret_keep') : ''}
      value={value === SECRET_SET ? '' : (value ?? '')}
      onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
    />
  );
}

export function CheckboxWidget({ id, value, onChange }) {
  return (
    <input id={id} type="checkbox" className="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
  );
}
