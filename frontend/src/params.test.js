import { describe, expect, it } from 'vitest';
import { initialParams, isEntries } from './ParamForm.jsx';

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
