// A condition without typing an expression: rows of field / operator / value, all or any of
// them. Each change writes the JMESPath into the field, which stays editable by hand.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { toJson } from '../api.js';
import { OPERATORS, conditionExpression, fieldChoices, parseCondition, rowProblem, takesValue } from '../conditions.js';

const EMPTY_ROW = { field: '', operator: 'equals', value: '' };

function shortValue(value) {
  const text = toJson(value);
  return text && text.length > 24 ? `${text.slice(0, 23)}…` : text;
}

function ConditionRow({ row, index, choices, onChange, onRemove }) {
  const { t } = useTranslation();
  const problem = rowProblem(row);
  const known = choices.some((c) => c.path === row.field);
  return (
    <div className="condition-row" data-condition-row={index}>
      <select
        aria-label={t('condition_field', { n: index + 1 })}
        value={row.field}
        onChange={(e) => onChange({ ...row, field: e.target.value })}
      >
        <option value="">{t('condition_choose_field')}</option>
        {!known && row.field && <option value={row.field}>{row.field}</option>}
        {choices.map((c) => (
          <option key={c.path} value={c.path}>
            {c.path} ({shortValue(c.value)})
          </option>
        ))}
      </select>
      <select
        aria-label={t('condition_operator', { n: index + 1 })}
        value={row.operator}
        onChange={(e) => onChange({ ...row, operator: e.target.value })}
      >
        {OPERATORS.map((op) => (
          <option key={op} value={op}>
            {t(`operator_${op}`)}
          </option>
        ))}
      </select>
      {takesValue(row.operator) && (
        <input
          type="text"
          aria-label={t('condition_value', { n: index + 1 })}
          placeholder={row.operator === 'one_of' ? t('condition_values_hint') : ''}
          value={row.value}
          onChange={(e) => onChange({ ...row, value: e.target.value })}
        />
      )}
      <button type="button" className="icon" aria-label={t('condition_remove', { n: index + 1 })} onClick={onRemove}>
        ×
      </button>
      {problem && row.field && <p className="hint">{t(problem)}</p>}
    </div>
  );
}

export default function ConditionBuilder({ expression, scope, onChange }) {
  const { t } = useTranslation();
  const parsed = parseCondition(expression);
  // Rows are kept here too: an incomplete row writes no expression, yet must stay on screen.
  const [draft, setDraft] = useState(parsed && parsed.rows.length ? parsed : { combine: 'all', rows: [EMPTY_ROW] });
  const choices = fieldChoices(scope);
  const edited = conditionExpression(draft) !== (expression || '');
  // The expression typed by hand wins over the rows on screen.
  const current = parsed && parsed.rows.length && edited ? parsed : draft;
  if (!parsed && edited) {
    return (
      <div className="condition-builder" data-testid="condition-builder">
        <p className="hint">{t('condition_by_hand')}</p>
        <button type="button" className="secondary" onClick={() => {
          const fresh = { combine: 'all', rows: [EMPTY_ROW] };
          setDraft(fresh);
          onChange('');
        }}>
          {t('condition_start_over')}
        </button>
      </div>
    );
  }
  const change = (next) => {
    setDraft(next);
    onChange(conditionExpression(next));
  };
  const setRow = (index, row) => change({ ...current, rows: current.rows.map((r, i) => (i === index ? row : r)) });
  return (
    <div className="condition-builder" data-testid="condition-builder">
      {current.rows.length > 1 && (
        <label className="condition-combine">
          {t('condition_combine')}{' '}
          <select value={current.combine} onChange={(e) => change({ ...current, combine: e.target.value })}>
            <option value="all">{t('condition_all')}</option>
            <option value="any">{t('condition_any')}</option>
          </select>
        </label>
      )}
      {current.rows.map((row, index) => (
        <ConditionRow
          key={index}
          row={row}
          index={index}
          choices={choices}
          onChange={(next) => setRow(index, next)}
          onRemove={() => change({ ...current, rows: current.rows.filter((_, i) => i !== index) })}
        />
      ))}
      <button type="button" className="secondary" onClick={() => change({ ...current, rows: [...current.rows, EMPTY_ROW] })}>
        {t('condition_add')}
      </button>
    </div>
  );
}
