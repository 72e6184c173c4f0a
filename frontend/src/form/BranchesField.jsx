// A router's branches, one by one: its name and its condition, built with the condition
// builder or typed. Read from and written to the params (the conditions are fixed text there).
import { useTranslation } from 'react-i18next';
import { ExpressionInput } from '../components/Mapping.jsx';

export default function BranchesField({ name, fieldPathId, registry }) {
  const { t } = useTranslation();
  const { params, setParam } = registry.formContext;
  const branches = Array.isArray(params[name]) ? params[name] : [];
  const setBranch = (index, change) =>
    setParam(name, branches.map((b, i) => (i === index ? { ...b, ...change } : b)));
  const add = () => setParam(name, [...branches, { name: `branch_${branches.length + 1}`, condition: '' }]);
  return (
    <div className="branches" id={fieldPathId.$id}>
      {branches.map((branch, index) => (
        <div className="branch" key={index} data-branch={index}>
          <div className="entry-head">
            <input
              type="text"
              aria-label={t('branch_name', { n: index + 1 })}
              value={branch.name ?? ''}
              onChange={(e) => setBranch(index, { name: e.target.value })}
            />
            <button
              type="button"
              className="icon"
              aria-label={t('branch_remove', { n: index + 1 })}
              onClick={() => setParam(name, branches.filter((_, i) => i !== index))}
            >
              ×
            </button>
          </div>
          <ExpressionInput
            id={`${fieldPathId.$id}-${index}-condition`}
            value={branch.condition}
            condition
            onChange={(condition) => setBranch(index, { condition })}
          />
        </div>
      ))}
      <button type="button" className="secondary" onClick={add}>
        {t('branch_add')}
      </button>
    </div>
  );
}
