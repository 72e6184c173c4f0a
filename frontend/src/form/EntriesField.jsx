// An object without declared properties (a map node's fields, headers), edited entry by entry;
// each entry is a fixed value (params[name][key]) or from data (mapping["name.key"]).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ExpressionInput } from '../components/Mapping.jsx';
import { JsonInput } from './JsonField.jsx';
import ModeSwitch from './ModeSwitch.jsx';
import { inputKind, without } from './schema.js';

function EntryInput({ id, schema, value, onChange }) {
  const { t } = useTranslation();
  const kind = inputKind(schema);
  if (kind === 'choice') {
    return (
      <select
        id={id}
        value={value === undefined ? '' : String(value)}
        onChange={(e) => onChange(schema.enum.find((v) => String(v) === e.target.value))}
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
      <input id={id} type="checkbox" className="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
    );
  }
  if (kind === 'text') {
    return <input id={id} type="text" value={value ?? ''} onChange={(e) => onChange(e.target.value)} />;
  }
  return <JsonInput id={id} value={value} onChange={onChange} />;
}

function entrySchemaOf(schema) {
  const entry = schema.additionalProperties;
  return entry && typeof entry === 'object' && (entry.type || entry.enum) ? entry : { type: 'string' };
}

export default function EntriesField({ name, schema, registry }) {
  const { t } = useTranslation();
  const { params, mapping, update } = registry.formContext;
  const [newKey, setNewKey] = useState('');
  const fixed = params[name] || {};
  const prefix = `${name}.`;
  const mapped = Object.keys(mapping)
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));
  const keys = [...new Set([...Object.keys(fixed), ...mapped])];
  const entrySchema = entrySchemaOf(schema);
  const setEntry = (key, { fixedValue, expression, remove }) => {
    let nextFixed = without(fixed, key);
    const nextMapping = without(mapping, prefix + key);
    if (!remove && expression !== undefined) nextMapping[prefix + key] = expression;
    else if (!remove) nextFixed = { ...nextFixed, [key]: fixedValue ?? '' };
    update({ ...params, [name]: nextFixed }, nextMapping);
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
        const fromData = prefix + key in mapping;
        const id = `entry-${name}-${key}`;
        return (
          <div className="entry" key={key} data-entry={key}>
            <div className="entry-head">
              <label htmlFor={id} className="entry-name">
                {key}
              </label>
              <ModeSwitch
                label={key}
                fromData={fromData}
                onChange={(toData) => setEntry(key, toData ? { expression: '' } : { fixedValue: '' })}
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
              <ExpressionInput id={id} value={mapping[prefix + key]} onChange={(expression) => setEntry(key, { expression })} />
            ) : (
              <EntryInput id={id} schema={entrySchema} value={fixed[key]} onChange={(fixedValue) => setEntry(key, { fixedValue })} />
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
