import { describe, expect, it } from 'vitest';
import { initialParams } from './params.js';
import { inputKind, isEntries } from './form/ParamForm.jsx';

describe('new node params', () => {
  it('start with defaults and empty required objects', () => {
    const schema = {
      type: 'object',
      required: ['url', 'fields'],
      properties: {
        method: { enum: ['GET', 'POST'], default: 'POST' },
        url: { type: 'string' },
        fields: { type: 'object' },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
      },
    };
    expect(initialParams(schema)).toEqual({ method: 'POST', fields: {} });
    expect(isEntries(schema.properties.headers)).toBe(true);
    expect(isEntries(schema.properties.url)).toBe(false);
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
