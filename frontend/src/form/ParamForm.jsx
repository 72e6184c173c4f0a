// A node's settings as a react-jsonschema-form over its params JSON Schema. Every top-level
// parameter is a fixed value (params[name]) or "from data": a JMESPath expression in
// mapping[name] (see templates.jsx). The account picker comes first for connectors with
// accounts. Problems come from the server when the flow is saved; the form does not validate.
import { useMemo } from 'react';
import Form from '@rjsf/core';
import validator from '@rjsf/validator-ajv8';
import { useTranslation } from 'react-i18next';
import Account from '../components/Account.jsx';
import AccountField from './AccountField.jsx';
import BranchesField from './BranchesField.jsx';
import EntriesField from './EntriesField.jsx';
import GroupField from './GroupField.jsx';
import JsonField from './JsonField.jsx';
import OptionsWidget from './OptionsWidget.jsx';
import { ACCOUNT, formSchemas, formValues, without } from './schema.js';
import { FieldTemplate, ObjectFieldTemplate } from './templates.jsx';
import { CheckboxWidget, SecretWidget } from './widgets.jsx';

const FIELDS = { account: AccountField, branches: BranchesField, entries: EntriesField, group: GroupField, json: JsonField };
const WIDGETS = { secret: SecretWidget, checkbox: CheckboxWidget, options: OptionsWidget };
const TEMPLATES = { FieldTemplate, ObjectFieldTemplate };
const ID_PREFIX = 'param';
const ID_SEPARATOR = '-';

export default function ParamForm({ node, spec, problems, onChange }) {
  const { t, i18n } = useTranslation();
  // What is not changed is handed back as stored: a node without a mapping keeps none.
  const { params: storedParams, mapping: storedMapping } = node.data;
  const params = storedParams || {};
  const mapping = storedMapping || {};
  const { schema, uiSchema } = useMemo(
    () => formSchemas(spec.params, !!spec.auth, t('choose'), i18n.language),
    [spec, t, i18n.language],
  );
  const values = useMemo(() => formValues(storedParams), [storedParams]);

  const update = (nextParams, nextMapping) => onChange({ params: nextParams, mapping: nextMapping });
  const setParam = (name, value) =>
    update(value === undefined ? without(params, name) : { ...params, [name]: value }, storedMapping);
  const context = {
    node,
    spec,
    params,
    mapping,
    problems,
    update,
    setParam,
    onNodeChange: onChange,
    setExpression: (name, expression) => update(storedParams, { ...mapping, [name]: expression }),
    setMode: (name, toData) => {
      if (toData === name in mapping) return;
      if (toData) update(without(params, name), { ...mapping, [name]: '' });
      else update(storedParams, without(mapping, name));
    },
  };

  // rjsf reports the id of the changed widget; one without an id is rjsf filling in defaults.
  const changed = (event, id) => {
    const name = id && id.slice(ID_PREFIX.length + ID_SEPARATOR.length);
    if (!name || name === ACCOUNT || !(name in schema.properties)) return;
    setParam(name, event.formData[name]);
  };

  if (!Object.keys(spec.params?.properties || {}).length) {
    return (
      <>
        {spec.auth && <Account node={node} spec={spec} onChange={onChange} />}
        <p className="muted">{t('no_settings')}</p>
      </>
    );
  }
  return (
    <Form
      tagName="div"
      schema={schema}
      uiSchema={uiSchema}
      formData={values}
      formContext={context}
      validator={validator}
      fields={FIELDS}
      widgets={WIDGETS}
      templates={TEMPLATES}
      idPrefix={ID_PREFIX}
      idSeparator={ID_SEPARATOR}
      onChange={changed}
      noHtml5Validate
      showErrorList={false}
    />
  );
}
