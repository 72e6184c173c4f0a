// Pure helpers for the account (credential) picker in the side panel.

/** What the API shows in place of a stored secret param of a flow (see nodes/engine/redaction.py). */
export const SECRET_SET = '[secret set]';

/** The form fields of a connector's auth JSON Schema: writeOnly ones are secrets. */
export function authFields(schema) {
  const required = new Set((schema && schema.required) || []);
  return Object.entries((schema && schema.properties) || {}).map(([name, field]) => ({
    name,
    title: field.title || name,
    secret: field.writeOnly === true,
    required: required.has(name),
    type: field.type === 'number' || field.type === 'integer' ? 'number' : 'text',
  }));
}

/** The merchant's accounts for one connector. */
export function accountsFor(credentials, connector) {
  return (credentials || []).filter((c) => c.connector === connector);
}

/** A 422 problem's errors keyed by form field: "/data/secret" → secret, "/name" → name. */
export function errorsByField(errors) {
  const out = {};
  for (const e of errors || []) {
    const pointer = e.pointer || '';
    let key = '';
    if (pointer === '/name') key = 'name';
    else if (pointer.startsWith('/data/')) key = pointer.slice('/data/'.length).split('/')[0];
    (out[key] ||= []).push(e.message);
  }
  return out;
}

/** The node's extra fields with the credential set to id, or removed when id is empty. */
export function withCredential(extra, id) {
  const { credential: _old, ...rest } = extra || {};
  return id ? { ...rest, credential: id } : rest;
}

/** The form's values as the credential's data: empty fields left out, numbers parsed. */
export function authData(fields, values) {
  const data = {};
  for (const f of fields) {
    const v = values[f.name];
    if (v === undefined || v === '') continue;
    data[f.name] = f.type === 'number' ? Number(v) : v;
  }
  return data;
}
