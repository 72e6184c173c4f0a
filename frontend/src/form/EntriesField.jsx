// An object without declared properties (a map node's fields, headers), edited entry by entry;
// each entry is a fixed value (params[name][key]) or from data (mapping["name.key"]).
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ExpressionInput } from '../components/Mapping.jsx';
import { CONVERSIONS, conversionOf, withConversion } from '../mapping.js';
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
    return (
      <input
        id={id}
        type="text"
        value={value ?? ''}
        placeholder={schema.format === 'template' ? `${t('template_hint')} {{ trigger.first_name }}` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return <JsonInput id={id} value={value} onChange={onChange} />;
}

/** "As number / as text / as date / default if empty" around a mapped entry's expression. */
function Conversion({ name, expression, onChange }) {
  const { t } = useTranslation();
  const { conversion, inner, fallback } = conversionOf(expression);
  if (!inner) return null;
  return (
    <div className="conversion">
      <select
        aria-label={t('convert_field', { name })}
        value={conversion}
        onChange={(e) => onChange(withConversion(inner, e.target.value, fallback))}
      >
        <option value="">{t('convert_none')}</option>
        {[...Object.keys(CONVERSIONS), 'default'].map((c) => (
          <option key={c} value={c}>
            {t(`convert_${c}`)}
          </option>
        ))}
      </select>
      {conversion === 'default' && (
        <input
          type="text"
          aria-label={t('convert_default_value', { name })}
          placeholder={t('convert_default_value', { name })}
          value={fallback}
          onChange={(e) => onChange(withConversion(inner, 'default', e.target.value))}
        />
      )}
    </div>
  );
}

/** The entries' keys in the order the merchant first saw them: editing one never moves it. */
function useStableOrder(keys) {
  const order = useRef([]);
  order.current = [...order.current.filter((k) => keys.includes(k)), ...keys.filter((k) => !order.current.includes(k))];
  return order.current;
}

function entrySchemaOf(schema) {
  const entry = schema.additionalProperties;
  if (entry && typeof entry === 'object' && (entry.type || entry.enum)) return entry;
  return { type: 'string', ...(entry && entry.format && { format: entry.format }) };
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
  const keys = useStableOrder([...new Set([...Object.keys(fixed), ...mapped])]);
  const entrySchema = entrySchemaOf(schema);
  const setEntry = (key, { fixedValue, expression, remove }) => {
    // A value replaced in place keeps its place in the stored params too.
    const nextFixed = remove || expression !== undefined ? without(fixed, key) : { ...fixed, [key]: fixedValue ?? '' };
    const nextMapping = remove || expression === undefined ? without(mapping, prefix + key) : { ...mapping, [prefix + key]: expression };
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
              <>
                <ExpressionInput id={id} value={mapping[prefix + key]} onChange={(expression) => setEntry(key, { expression })} />
                <Conversion name={key} expression={mapping[prefix + key]} onChange={(expression) => setEntry(key, { expression })} />
              </>
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
