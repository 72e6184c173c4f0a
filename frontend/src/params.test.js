import { describe, expect, it } from 'vitest';
import { parseJson, toJson } from './api.js';
import { initialMapping, initialParams } from './params.js';
import { ACCOUNT, formSchemas, formValues, inputKind, isEntries, withoutComposition } from './form/schema.js';

const SCHEMA = {
  type: 'object',
  required: ['url', 'fields'],
  properties: {
    method: { enum: ['GET', 'POST'], default: 'POST' },
    url: { type: 'string' },
    fields: { type: 'object' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    order_id: { type: ['string', 'integer'] },
    token: { type: 'string', writeOnly: true },
    warehouse: { type: 'integer', 'x-options': { source: 'warehouses' } },
    body: { type: 'object', properties: { a: { type: 'integer' } } },
    dry_run: { type: 'boolean' },
  },
};

describe('new node params', () => {
  it('start with defaults and empty required objects', () => {
    expect(initialParams(SCHEMA)).toEqual({ method: 'POST', fields: {} });
    expect(isEntries(SCHEMA.properties.headers)).toBe(true);
    expect(isEntries(SCHEMA.properties.url)).toBe(false);
  });

  it('read a condition from the data, and map nothing else', () => {
    expect(initialMapping({ properties: { condition: { format: 'condition' } } })).toEqual({ condition: '' });
    expect(initialMapping(SCHEMA)).toBeUndefined();
  });
});

describe('fixed value inputs', () => {
  it('type an id that may be text or a number as text, so big numbers keep their digits', () => {
    expect(inputKind({ type: ['string', 'integer'] })).toBe('text');
    expect(inputKind({ type: 'integer' })).toBe('number');
    expect(inputKind({ type: 'boolean' })).toBe('checkbox');
    expect(inputKind({ enum: ['available', 'on_hand'] })).toBe('choice');
    expect(inputKind({ type: 'array' })).toBe('json');
  });
});

describe('the rjsf form', () => {
  it('gives each parameter its field or widget, and the account picker first', () => {
    const { schema, uiSchema } = formSchemas(SCHEMA, true);
    expect(Object.keys(schema.properties)[0]).toBe(ACCOUNT);
    expect(uiSchema[ACCOUNT]).toEqual({ 'ui:field': 'account' });
    expect(schema.properties.order_id.type).toBe('string');
    expect(uiSchema.fields).toEqual({ 'ui:field': 'entries' });
    expect(uiSchema.headers).toEqual({ 'ui:field': 'entries' });
    expect(uiSchema.body).toEqual({ 'ui:field': 'json' });
    expect(uiSchema.token).toEqual({ 'ui:widget': 'secret' });
    expect(uiSchema.warehouse).toEqual({ 'ui:widget': 'options' });
    expect(uiSchema.dry_run).toEqual({ 'ui:widget': 'checkbox' });
    expect(uiSchema.url).toEqual({});
    expect(formSchemas(SCHEMA, false, '— choose —').uiSchema.method).toEqual({ 'ui:placeholder': '— choose —' });
    expect(formSchemas(SCHEMA, false).schema.properties[ACCOUNT]).toBeUndefined();
  });

  it('hands rjsf a big number as its digits', () => {
    const values = formValues(parseJson('{"order_id": 820982911946154508, "n": 3}'));
    expect(values).toEqual({ order_id: '820982911946154508', n: 3 });
    expect(toJson(formValues(undefined))).toBe('{}');
  });
});

describe('schemas rjsf never hands to its validator', () => {
  it('lose oneOf, anyOf, if and $ref at every level, and keep their data', () => {
    const target = {
      title: 'Target',
      oneOf: [{ type: 'string' }, { type: 'integer' }],
      default: { oneOf: 'kept' },
    };
    const body = {
      type: 'object',
      properties: { to: { anyOf: [{ format: 'email' }] }, list: { type: 'array', items: { $ref: '#/$defs/x' } } },
      additionalProperties: { if: { type: 'string' }, then: { minLength: 1 } },
    };
    expect(withoutComposition(target)).toEqual({ title: 'Target', default: { oneOf: 'kept' } });
    expect(withoutComposition(body)).toEqual({
      type: 'object',
      properties: { to: {}, list: { type: 'array', items: {} } },
      additionalProperties: {},
    });
    const { schema, uiSchema } = formSchemas({ type: 'object', properties: { target } }, false);
    expect(schema.properties.target).toEqual({ title: 'Target', default: { oneOf: 'kept' } });
    expect(uiSchema.target).toEqual({ 'ui:field': 'json' });
  });
});
