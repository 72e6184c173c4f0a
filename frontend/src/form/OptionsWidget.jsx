// A searchable choice among the options the connected account offers; any value can still be
// typed, also when the options cannot be loaded.
import { useTranslation } from 'react-i18next';
import { chosenValue, useOptions } from './options.js';

function Status({ options, chosen }) {
  const { t } = useTranslation();
  if (options.state === 'failed') {
    return (
      <p className="hint bad" role="alert" data-testid="options-failed">
        {t('options_failed', { message: options.message })}
      </p>
    );
  }
  if (options.state === 'account') return <p className="hint">{t('options_need_account')}</p>;
  if (options.state === 'loading') return <p className="hint">{t('loading_short')}</p>;
  if (chosen) return <p className="hint" data-testid="options-chosen">{chosen.label}</p>;
  if (!options.items.length) return <p className="hint">{t('options_none')}</p>;
  return null;
}

export default function OptionsWidget({ id, value, onChange, schema, registry }) {
  const { t } = useTranslation();
  const { spec, node } = registry.formContext;
  const credential = node.data.extra && node.data.extra.credential;
  const options = useOptions(spec.key, schema['x-options'].source, credential, !!spec.auth);
  const text = value === undefined || value === null ? '' : String(value);
  const chosen = options.items.find((item) => String(item.value) === text);
  const listId = `${id}-options`;
  return (
    <div className="options-field">
      <input
        id={id}
        type="text"
        list={listId}
        autoComplete="off"
        placeholder={options.items.length ? t('options_search') : ''}
        value={text}
        onChange={(e) => onChange(chosenValue(e.target.value, options.items, schema))}
      />
      <datalist id={listId} data-testid="options">
        {options.items.map((item) => (
          <option key={String(item.value)} value={String(item.value)} label={item.label} />
        ))}
      </datalist>
      <Status options={options} chosen={chosen} />
    </div>
  );
}
