// A small generic form over a node's params JSON Schema. Every top-level field is either a
// fixed value (params[field]) or "from data": a JMESPath expression in mapping[field].
// Objects without declared properties (a map node's fields, headers) are edited entry by
// entry, and each entry can be fixed or from data (mapping["field.entry"]).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseJson, toJson } from '../api.js';
import { SECRET_SET } from '../credentials.js';
import { ExpressionInput } from '../components/Mapping.jsx';
import NextRuns from '../components/Schedule.jsx';

function without(object, key) {
  const { [key]: _gone, ...rest } = object || {};
  return rest;
}

function ModeSwitch({ fromData, onChange, t, label }) {
  return (
    <div className="mode-switch" role="group" aria-label={label}>
      <button
        type="button"
        className={fromData ? '' : 'on'}
        aria-pressed={!fromData}
        onClick={() => onChange(false)}
      >
        {t('fixed')}
      </button>
      <button
        type="button"
        className={fromData ? 'on' : ''}
        aria-pressed={fromData}
        onClick={() => onChange(true)}
      >
        {t('from_data')}
      </button>
    </div>
  );
}

function JsonInput({ value, onChange, t, id }) {
  const shown = value === undefined ? '' : toJson(value, 2);
  const [text, setText] = useState(shown);
  const [bad, setBad] = useState(false);
  return (
    <>
      <textarea
        id={id}
        rows={4}
        value={text}
        placeholder={t('json_hint')}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setBad(false);
            onChange(undefined);
            return;
          }
          try {
            onChange(parseJson(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <p className="hint bad">{t('invalid_json')}</p>}
    </>
  );
}

// Which input a fixed value gets. A field that takes text or a number (an id like Shopify's)
// is typed as text: a number above 2^53 would lose digits in JavaScript.
export function inputKind(schema) {
  if (Array.isArray(schema.enum)) return 'choice';
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('string')) return 'text';
  if (types.includes('number') || types.includes('integer')) return 'number';
  if (types.includes('boolean')) return 'checkbox';
  return 'json';
}

// A stored secret is never sent to the browser: the form shows that it is set, and lets the
// user type a new one (left empty, the stored one is kept).
function SecretInput({ value, onChange, t, id }) {
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

function FixedInput({ schema, value, onChange, t, id }) {
  if (schema.writeOnly) return <SecretInput id={id} value={value} onChange={onChange} t={t} />;
  const kind = inputKind(schema);
  if (kind === 'choice') {
    return (
      <select
        id={id}
        value={value === undefined ? '' : String(value)}
        onChange={(e) => {
          const chosen = schema.enum.find((v) => String(v) === e.target.value);
          onChange(chosen);
        }}
      >
        <option value="">{t('choose')}</option>
        {schema.enum.map((v) => (
          <option key={String(v)} value={String(v)}>
            {String(v)}
          </option>
        ))}
      </select>
    );
  }
  if (kind === 'text') {
    return (
      <input
        id={id}
        type="text"
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
      />
    );
  }
  if (kind === 'number') {
    return (
      <input
        id={id}
        type="number"
        step={schema.type === 'integer' ? 1 : 'any'}
        value={value === undefined ? '' : String(value)}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    );
  }
  if (kind === 'checkbox') {
    return (
      <input
        id={id}
        type="checkbox"
        className="checkbox"
        checked={value === true}
        onChange={(e) => onChange(e.target.checked)}
      />
    );
  }
  return <JsonInput id={id} value={value} onChange={onChange} t={t} />;
}

function EntriesField({ name, schema, params, mapping, update, t }) {
  const [newKey, setNewKey] = useState('');
  const fixed = (params && params[name]) || {};
  const prefix = `${name}.`;
  const mapped = Object.keys(mapping || {})
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));
  const keys = [...new Set([...Object.keys(fixed), ...mapped])];
  const entrySchema =
    schema.additionalProperties && typeof schema.additionalProperties === 'object'
      ? schema.additionalProperties
      : { type: 'string' };
  const setEntry = (key, { fixedValue, expression, remove }) => {
    let nextFixed = without(fixed, key);
    let nextMapping = without(mapping, prefix + key);
    if (!remove && expression !== undefined) nextMapping[prefix + key] = expression;
    else if (!remove) nextFixed = { ...nextFixed, [key]: fixedValue ?? '' };
    update({ ...(params || {}), [name]: nextFixed }, nextMapping);
  };
  const add = () => {
    const key = newKey.trim();
    if (!key || key.includes('.') || keys.includes(key)) return;
    setEntry(key, { fixedValue: '' });
    setNewKey('');
  };
  return (
    <div className="entries">
      {keys.map((key) => {
        const fromData = mapping && prefix + key in mapping;
        const id = `entry-${name}-${key}`;
        return (
          <div className="entry" key={key} data-entry={key}>
            <div className="entry-head">
              <label htmlFor={id} className="entry-name">
                {key}
              </label>
              <ModeSwitch
                t={t}
                label={key}
                fromData={fromData}
                onChange={(toData) =>
                  setEntry(key, toData ? { expression: '' } : { fixedValue: '' })
                }
              />
              <button
                type="button"
                className="icon"
                title={t('remove')}
                aria-label={`${t('remove')} ${key}`}
                onClick={() => setEntry(key, { remove: true })}
              >
                ×
              </button>
            </div>
            {fromData ? (
              <ExpressionInput
                id={id}
                t={t}
                value={mapping[prefix + key]}
                onChange={(expression) => setEntry(key, { expression })}
              />
            ) : (
              <FixedInput
                id={id}
                t={t}
                schema={entrySchema.type || entrySchema.enum ? entrySchema : { type: 'string' }}
                value={fixed[key]}
                onChange={(fixedValue) => setEntry(key, { fixedValue })}
              />
            )}
          </div>
        );
      })}
      <div className="add-entry">
        <input
          type="text"
          value={newKey}
          placeholder={t('field_name')}
          aria-label={t('field_name')}
          onChange={(e) => setNewKey(e.target.value.replace(/\./g, '_'))}
          onKeyDown={(e) => e.key === 'Enter' && add()}
        />
        <button type="button" className="secondary" onClick={add}>
          {t('add_field')}
        </button>
      </div>
    </div>
  );
}

export function isEntries(schema) {
  return schema && schema.type === 'object' && !schema.properties;
}

export default function ParamForm({ schema, params, mapping, errors, onChange }) {
  const { t } = useTranslation();
  const properties = (schema && schema.properties) || {};
  const required = new Set((schema && schema.required) || []);
  const names = Object.keys(properties);
  if (!names.length) return <p className="muted">{t('no_settings')}</p>;
  const update = (nextParams, nextMapping) => onChange(nextParams, nextMapping);
  return (
    <div className="param-form">
      {names.map((name) => {
        const field = properties[name];
        const id = `param-${name}`;
        const fieldErrors = (errors || []).filter((e) => e.field === name);
        const fromData = !!mapping && name in mapping;
        const title = field.title || name;
        return (
          <div
            className={`field${fieldErrors.length ? ' has-error' : ''}`}
            key={name}
            data-field={name}
          >
            <div className="field-head">
              <label htmlFor={id}>
                {title}
                {required.has(name) && (
                  <span className="required" title={t('field_required')}>
                    {' '}
                    *
                  </span>
                )}
              </label>
              {!isEntries(field) && (
                <ModeSwitch
                  t={t}
                  label={title}
                  fromData={fromData}
                  onChange={(toData) => {
                    if (toData === fromData) return;
                    if (toData) update(without(params, name), { ...(mapping || {}), [name]: '' });
                    else update(params, without(mapping, name));
                  }}
                />
              )}
            </div>
            {field.description && <p className="hint">{field.description}</p>}
            {isEntries(field) ? (
              <EntriesField
                name={name}
                schema={field}
                params={params}
                mapping={mapping}
                update={update}
                t={t}
              />
            ) : fromData ? (
              <ExpressionInput
                id={id}
                t={t}
                value={mapping[name]}
                onChange={(expression) => update(params, { ...mapping, [name]: expression })}
              />
            ) : (
              <FixedInput
                id={id}
                t={t}
                schema={field}
                value={params ? params[name] : undefined}
                onChange={(value) =>
                  update(
                    value === undefined
                      ? without(params, name)
                      : { ...(params || {}), [name]: value },
                    mapping,
                  )
                }
              />
            )}
            {field.format === 'schedule' && !fromData && (
              <NextRuns schedule={params ? params[name] : undefined} t={t} />
            )}
            {fieldErrors.map((e, i) => (
              <p className="field-error" key={i} role="alert">
                {e.message}
              </p>
            ))}
          </div>
        );
      })}
    </div>
  );
}

