// rjsf templates. Every top-level parameter is drawn with its label, the "fixed value / from
// data" switch, its description, the fixed-value widget or the expression input, and the
// server's problems with it (at the ids rjsf's widgets name in aria-describedby).
import { useTranslation } from 'react-i18next';
import { ExpressionInput } from '../components/Mapping.jsx';
import NextRuns from '../components/Schedule.jsx';
import ModeSwitch from './ModeSwitch.jsx';
import { ACCOUNT, isEntries } from './schema.js';

function Label({ htmlFor, title, required }) {
  const { t } = useTranslation();
  return (
    <label htmlFor={htmlFor}>
      {title}
      {required && (
        <span className="required" title={t('field_required')}>
          {' '}
          *
        </span>
      )}
    </label>
  );
}

export function FieldTemplate({ id, fieldPathId, schema, required, children, registry }) {
  const name = fieldPathId.path[0];
  if (fieldPathId.path.length !== 1 || name === ACCOUNT) return children;
  const { params, mapping, problems, setMode, setExpression } = registry.formContext;
  const title = schema.title || name;
  const fromData = name in mapping;
  const entries = isEntries(schema);
  const fieldProblems = problems.filter((p) => p.field === name);
  return (
    <div className={`field${fieldProblems.length ? ' has-error' : ''}`} data-field={name}>
      <div className="field-head">
        <Label htmlFor={id} title={title} required={required} />
        {!entries && (
          <ModeSwitch label={title} fromData={fromData} onChange={(toData) => setMode(name, toData)} />
        )}
      </div>
      {schema.description && (
        <p className="hint" id={`${id}__description`}>
          {schema.description}
        </p>
      )}
      {fromData && !entries ? (
        <ExpressionInput
          id={id}
          value={mapping[name]}
          condition={schema.format === 'condition'}
          onChange={(expression) => setExpression(name, expression)}
        />
      ) : (
        children
      )}
      {schema.format === 'schedule' && !fromData && <NextRuns schedule={params[name]} />}
      {fieldProblems.length > 0 && (
        <div id={`${id}__error`}>
          {fieldProblems.map((p, i) => (
            <p className="field-error" key={i} role="alert">
              {p.message}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}

export function ObjectFieldTemplate({ properties }) {
  return <div className="param-form">{properties.map((property) => property.content)}</div>;
}
