// Over the canvas: why the flow was not saved (each step's problems, a click selects the step)
// and the last failure message.
import { useTranslation } from 'react-i18next';
import { localized } from '../i18n.js';

function stepName(node, catalog, lang, id) {
  const spec = node && catalog[node.data.type];
  return (node && node.data.name) || (spec ? localized(spec.title, lang) : id);
}

export default function ProblemList({ problems, message, nodes, catalog, onSelect }) {
  const { t, i18n } = useTranslation();
  const count =
    problems.general.length +
    Object.values(problems.byNode).reduce((sum, list) => sum + list.length, 0);
  if (!count && !message) return null;
  return (
    <div className="problems" role="alert" data-testid="problems">
      {message && <p>{message}</p>}
      {count > 0 && (
        <>
          <strong>{t('cannot_save')}</strong>
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
      )}
    </div>
  );
}
