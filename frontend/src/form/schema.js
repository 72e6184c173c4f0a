// How a node's params JSON Schema becomes a react-jsonschema-form: which field or widget each
// top-level parameter gets, and the values rjsf may hold.
import { LosslessNumber } from 'lossless-json';
import { localized } from '../i18n.js';

/** The account picker's place in the form: a property no params schema can declare. */
export const ACCOUNT = '$account';

/** An object without declared properties (a map node's fields, headers): edited entry by entry. */
export function isEntries(schema) {
  return !!schema && schema.type === 'object' && !schema.properties;
}

/** A router's branches: a list of {name, condition}, each condition built or typed. */
export function isBranches(schema) {
  const item = schema && schema.type === 'array' && schema.items && schema.items.properties;
  return !!item && !!item.name && !!item.condition && item.condition.format === 'jmespath';
}

/**
 * A closed group of a few plain settings (a webhook's signature check: header, algorithm,
 * encoding): each gets its own input instead of one JSON box.
 */
export function isGroup(schema) {
  if (!schema || schema.type !== 'object' || !schema.properties || schema.additionalProperties !== false) return false;
  return Object.values(schema.properties).every((sub) => ['choice', 'text', 'number', 'checkbox'].includes(inputKind(sub)));
}

/** The words a list shows for each choice (`x-enum-titles`: {value: {en, de}}), in `lang`. */
export function choiceTitles(schema, lang) {
  const titles = schema['x-enum-titles'];
  if (!titles || !Array.isArray(schema.enum)) return undefined;
  return schema.enum.map((value) => localized(titles[value], lang) || String(value));
}

function types(schema) {
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/**
 * How a fixed value is entered: 'choice', 'text', 'number', 'checkbox', 'group', 'json' or
 * 'entries'.
 * A field that takes text or a number (an id like Shopify's) is typed as text: a number above
 * 2^53 would lose digits in JavaScript.
 */
export function inputKind(schema) {
  if (isEntries(schema)) return 'entries';
  if (Array.isArray(schema.enum)) return 'choice';
  if (types(schema).includes('string')) return 'text';
  if (types(schema).includes('number') || types(schema).includes('integer')) return 'number';
  if (types(schema).includes('boolean')) return 'checkbox';
  if (isGroup(schema)) return 'group';
  return 'json';
}

function uiFor(schema, choose, lang) {
  const kind = inputKind(schema);
  if (kind === 'entries') return { 'ui:field': 'entries' };
  if (isBranches(schema)) return { 'ui:field': 'branches' };
  if (kind === 'group') return { 'ui:field': 'group' };
  if (kind === 'json') return { 'ui:field': 'json' };
  if (schema.writeOnly) return { 'ui:widget': 'secret' };
  if (schema['x-options']) return { 'ui:widget': 'options' };
  if (kind === 'checkbox') return { 'ui:widget': 'checkbox' };
  if (kind === 'choice') return { 'ui:placeholder': choose, 'ui:enumNames': choiceTitles(schema, lang) };
  return {};
}

const COMPOSITION = ['oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else', '$ref', 'dependentSchemas', 'dependencies'];
const SUBSCHEMAS = ['items', 'additionalProperties', 'prefixItems'];

/**
 * The schema without the keywords rjsf resolves with its validator. ajv compiles schemas into
 * functions with `new Function`, which the editor's Content-Security-Policy forbids; the fields
 * here never need the resolution (a composed value is typed as JSON, like any other).
 */
export function withoutComposition(schema) {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const plain = Object.fromEntries(Object.entries(schema).filter(([key]) => !COMPOSITION.includes(key)));
  for (const key of SUBSCHEMAS) {
    if (Array.isArray(plain[key])) plain[key] = plain[key].map(withoutComposition);
    else if (plain[key] !== undefined) plain[key] = withoutComposition(plain[key]);
  }
  for (const key of ['properties', 'patternProperties']) {
    if (plain[key]) {
      plain[key] = Object.fromEntries(
        Object.entries(plain[key]).map(([name, sub]) => [name, withoutComposition(sub)]),
      );
    }
  }
  return plain;
}

/** The property as rjsf renders it: one type for text-or-number fields, as text. */
function fieldSchema(schema) {
  const kind = inputKind(schema);
  const plain = withoutComposition(schema);
  if (kind === 'text' && !Array.isArray(schema.enum)) return { ...plain, type: 'string' };
  if (kind === 'number') return { ...plain, type: types(schema).includes('integer') ? 'integer' : 'number' };
  return plain;
}

/**
 * {schema, uiSchema} for rjsf: the params' top-level properties, each with the field or widget
 * its kind needs, and the account picker first when the connector has accounts. `choose` is
 * the empty choice of a list without a default ("— choose —"); `lang` the language of the
 * choices' words.
 */
export function formSchemas(paramsSchema, withAccount, choose = '', lang = 'en') {
  const properties = (paramsSchema && paramsSchema.properties) || {};
  const schema = {
    type: 'object',
    required: (paramsSchema && paramsSchema.required) || [],
    properties: {},
  };
  const uiSchema = { 'ui:submitButtonOptions': { norender: true } };
  if (withAccount) {
    schema.properties[ACCOUNT] = { type: 'string' };
    uiSchema[ACCOUNT] = { 'ui:field': 'account' };
  }
  for (const [name, property] of Object.entries(properties)) {
    schema.properties[name] = fieldSchema(property);
    uiSchema[name] = uiFor(property, choose, lang);
  }
  return { schema, uiSchema };
}

/**
 * The params as rjsf may hold them. rjsf copies objects it finds in the form data into plain
 * ones, which would break lossless-json's big numbers: a top-level one is handed over as its
 * digits, and objects and lists are read by the json and entries fields from the params.
 */
export function formValues(params) {
  return Object.fromEntries(
    Object.entries(params || {}).map(([name, value]) => [
      name,
      value instanceof LosslessNumber ? value.toString() : value,
    ]),
  );
}

/** `object` without `key`. */
export function without(object, key) {
  const { [key]: _gone, ...rest } = object || {};
  return rest;
}
