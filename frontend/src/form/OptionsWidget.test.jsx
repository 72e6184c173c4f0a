// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from '../i18n.js';
import ParamForm from './ParamForm.jsx';

const SPEC = {
  key: 'shopify.adjust_stock',
  connector: 'shopify',
  auth: { type: 'object', properties: { token: { type: 'string', writeOnly: true } } },
  params: {
    type: 'object',
    properties: { location: { type: 'integer', title: 'Location', 'x-options': { source: 'locations' } } },
  },
};

function reply(status, body, type = 'application/json') {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } }));
}

/** A fetch that answers the options endpoint with `options` and the account list with one account. */
function mockFetch(options) {
  const fetch = vi.fn((url) => {
    if (url === '/api/credentials') {
      return reply(200, { credentials: [{ id: 'c1', connector: 'shopify', name: 'Shop', fields: {} }] });
    }
    return options(url);
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

function renderForm({ params = {}, extra = { credential: 'c1' }, onChange = vi.fn() } = {}) {
  const node = { id: 'stock', data: { type: SPEC.key, params, extra } };
  render(
    <I18nextProvider i18n={createI18n('en')}>
      <ParamForm node={node} spec={SPEC} problems={[]} onChange={onChange} />
    </I18nextProvider>,
  );
  return onChange;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('options loaded from the account', () => {
  it('asks the node type’s endpoint with the account and offers the items to search', async () => {
    const fetch = mockFetch(() =>
      reply(200, { items: [{ value: 17, label: 'Main warehouse' }, { value: 18, label: 'Store' }] }),
    );
    const onChange = renderForm({ params: { location: 17 } });
    await screen.findByText('Main warehouse');
    expect(fetch).toHaveBeenCalledWith('/api/nodes/shopify.adjust_stock/options/locations?credential=c1', expect.anything());
    const options = [...document.querySelectorAll('[data-testid=options] option')];
    expect(options.map((o) => [o.value, o.getAttribute('label')])).toEqual([['17', 'Main warehouse'], ['18', 'Store']]);
    await act(async () => fireEvent.change(document.getElementById('param-location'), { target: { value: '18' } }));
    expect(onChange).toHaveBeenLastCalledWith({ params: { location: 18 }, mapping: undefined });
  });

  it('shows the server’s problem in plain words and still takes a typed value', async () => {
    mockFetch(() =>
      reply(502, { title: 'Bad Gateway', detail: 'Shopify did not answer.' }, 'application/problem+json'),
    );
    const onChange = renderForm();
    const alert = await screen.findByTestId('options-failed');
    expect(alert.textContent).toBe('The choices could not be loaded: Shopify did not answer. You can still type a value.');
    await act(async () => fireEvent.change(document.getElementById('param-location'), { target: { value: '99' } }));
    expect(onChange).toHaveBeenLastCalledWith({ params: { location: 99 }, mapping: undefined });
  });

  it('waits for an account, and can switch to an expression', async () => {
    const fetch = mockFetch(() => reply(200, { items: [] }));
    const onChange = renderForm({ extra: {} });
    screen.getByText('Choose an account above to see the choices, or type a value.');
    await waitFor(() => expect(fetch).toHaveBeenCalledWith('/api/credentials', expect.anything()));
    expect(fetch.mock.calls.some(([url]) => url.includes('/options/'))).toBe(false);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'From data' })));
    expect(onChange).toHaveBeenLastCalledWith({ params: {}, mapping: { location: '' } });
  });
});
