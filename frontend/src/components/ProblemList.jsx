// Over the canvas: why the flow was not saved (each step's problems, a click selects the step),
// what a saved flow may get wrong (warnings), and the last failure message.
import { useTranslation } from 'react-i18next';
import { localized } from '../i18n.js';

function stepName(node, catalog, lang, id) {
  const spec = node && catalog[node.data.type];
  return (node && node.data.name) || (spec ? localized(spec.title, lang) : id);
}

function countOf(problems) {
  return problems.general.length + Object.values(problems.byNode).reduce((sum, list) => sum + list.length, 0);
}

function Problems({ heading, problems, nodes, catalog, onSelect }) {
  const { t, i18n } = useTranslation();
  return (
    <>
      <strong>{heading}</strong>
      <ul>
        {Object.entries(problems.byNode).map(([id, list]) =>
          list.map((p, i) => (
            <li key={`${id}-${i}`}>
              <button type="button" className="link" onClick={() => onSelect(id)}>
                {t('step_problem', {
                  name: stepName(nodes.find((n) => n.id === id), catalog, i18n.language, id),
                })}
              </button>
              : {p.message}
            </li>
          )),
        )}
        {problems.general.map((p, i) => (
          <li key={`g-${i}`}>{p.message}</li>
        ))}
      </ul>
    </>
  );
}

export default function ProblemList({ problems, warnings, message, nodes, catalog, onSelect }) {
  const { t } = useTranslation();
  const failed = countOf(problems) > 0;
  const warned = !failed && countOf(warnings) > 0;
  if (!failed && !warned && !message) return null;
  return (
    <div className={`problems${warned && !message ? ' warning' : ''}`} role="alert" data-testid="problems">
      {message && <p>{message}</p>}
      {failed && <Problems heading={t('cannot_save')} problems={problems} nodes={nodes} catalog={catalog} onSelect={onSelect} />}
      {warned && <Problems heading={t('saved_with_warnings')} problems={warnings} nodes={nodes} catalog={catalog} onSelect={onSelect} />}
    </div>
  );
}
