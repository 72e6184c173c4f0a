import { describe, expect, it } from 'vitest';
import { accountsFor, authData, authFields, errorsByField, withCredential } from './credentials.js';

const SECRET = {
  type: 'object',
  required: ['secret'],
  properties: { secret: { type: 'string', title: 'Shared secret', minLength: 8, writeOnly: true } },
};

describe('credential picker', () => {
  it('makes writeOnly fields secret', () => {
    expect(authFields(SECRET)).toEqual([
      { name: 'secret', title: 'Shared secret', secret: true, required: true, type: 'text' },
    ]);
    expect(authFields(undefined)).toEqual([]);
  });

  it('lists only the connector’s accounts', () => {
    const all = [
      { id: 'a', connector: 'core', name: 'A' },
      { id: 'b', connector: 'shopify', name: 'B' },
    ];
    expect(accountsFor(all, 'core').map((c) => c.id)).toEqual(['a']);
  });

  it('puts 422 errors at their field', () => {
    expect(
      errorsByField([
        { pointer: '/data/secret', message: 'too short' },
        { pointer: '/name', message: 'Give the account a name.' },
        { pointer: '/connector', message: 'no' },
      ]),
    ).toEqual({ secret: ['too short'], name: ['Give the account a name.'], '': ['no'] });
  });

  it('sets and removes the node credential', () => {
    expect(withCredential({ notes: 'x' }, 'c1')).toEqual({ notes: 'x', credential: 'c1' });
    expect(withCredential({ notes: 'x', credential: 'c1' }, '')).toEqual({ notes: 'x' });
    expect(withCredential(undefined, 'c2')).toEqual({ credential: 'c2' });
  });

  it('leaves empty fields out of the data', () => {
    expect(authData(authFields(SECRET), { secret: '' })).toEqual({});
    expect(authData(authFields(SECRET), { secret: 'abcdefgh' })).toEqual({ secret: 'abcdefgh' });
  });
});
