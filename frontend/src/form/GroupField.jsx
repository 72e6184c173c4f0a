// A fixed value that is a group of a few plain settings (see isGroup): one labelled input per
// setting, written back as one object; a group left empty is no value at all.
import { useTranslation } from 'react-i18next';
import { choiceTitles, inputKind, without } from './schema.js';

function Setting({ id, schema, value, onChange }) {
  const { t, i18n } = useTranslation();
  const kind = inputKind(schema);
  if (kind === 'choice') {
    const titles = choiceTitles(schema, i18n.language);
    return (
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
        <option value="">{schema.default !== undefined ? (titles?.[schema.enum.indexOf(schema.default)] ?? String(schema.default)) : t('choose')}</option>
        {schema.enum.map((choice, i) => (
          <option key={String(choice)} value={choice}>
            {titles ? titles[i] : String(choice)}
          </option>
        ))}
      </select>
    );
  }
  if (kind === 'checkbox') {
    return <input id={id} type="checkbox" className="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  }
  const number = kind === 'number';
  return (
    <input
      id={id}
      type={number ? 'number' : 'text'}
      value={value ?? ''}
      onChange={(e) => onChange(e.target.value === '' ? undefined : number ? Number(e.target.value) : e.target.value)}
    />
  );
}

export default function GroupField({ name, schema, fieldPathId, registry }) {
  const { params, setParam } = registry.formContext;
  const group = params[name] || {};
  const change = (key, value) => {
    const next = value === undefined ? without(group, key) : { ...group, [key]: value };
    setParam(name, Object.keys(next).length ? next : undefined);
  };
  return (
    <div className="setting-group" id={fieldPathId.$id}>
      {Object.entries(schema.properties).map(([key, sub]) => {
        const id = `${fieldPathId.$id}-${key}`;
        return (
          <div className="setting" key={key}>
            <label htmlFor={id}>
              {sub.title || key}
              {(schema.required || []).includes(key) && <span className="required"> *</span>}
            </label>
            <Setting id={id} schema={sub} value={group[key]} onChange={(value) => change(key, value)} />
            {sub.description && <p className="hint">{sub.description}</p>}
          </div>
        );
      })}
    </div>
  );
}
