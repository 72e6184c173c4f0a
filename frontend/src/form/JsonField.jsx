// A fixed value that is a list or a group of fields, typed as JSON. Read from the params
// themselves, so big numbers keep their digits (see formValues).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseJson, toJson } from '../api.js';

export function JsonInput({ id, value, onChange }) {
  const { t } = useTranslation();
  const [text, setText] = useState(value === undefined ? '' : toJson(value, 2));
  const [bad, setBad] = useState(false);
  const edit = (next) => {
    setText(next);
    if (next.trim() === '') {
      setBad(false);
      onChange(undefined);
      return;
    }
    try {
      onChange(parseJson(next));
      setBad(false);
    } catch {
      setBad(true);
    }
  };
  return (
    <>
      <textarea id={id} rows={4} value={text} placeholder={t('json_hint')} onChange={(e) => edit(e.target.value)} />
      {bad && <p className="hint bad">{t('invalid_json')}</p>}
    </>
  );
}

export default function JsonField({ name, fieldPathId, registry }) {
  const { params, setParam } = registry.formContext;
  return <JsonInput id={fieldPathId.$id} value={params[name]} onChange={(value) => setParam(name, value)} />;
}
