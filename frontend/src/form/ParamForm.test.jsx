// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { parseJson, toJson } from '../api.js';
import { createI18n } from '../i18n.js';
import ParamForm from './ParamForm.jsx';

const SPEC = {
  key: 'core.http_request',
  params: {
    type: 'object',
    required: ['url'],
    properties: {
      url: { type: 'string', title: 'URL' },
      order_id: { type: ['string', 'integer'], title: 'Order' },
      fields: { type: 'object', title: 'Fields' },
    },
  },
};

function renderForm(data, lang = 'en') {
  const onChange = vi.fn();
  const node = { id: 'erp', data: { type: SPEC.key, ...data } };
  render(
    <I18nextProvider i18n={createI18n(lang)}>
      <ParamForm node={node} spec={SPEC} problems={[{ field: 'url', message: 'Not a web address.' }]} onChange={onChange} />
    </I18nextProvider>,
  );
  return onChange;
}

afterEach(cleanup);

describe('the parameter form', () => {
  it('keeps 64-bit numbers exact when another field changes', async () => {
    const params = parseJson('{"url": "https://a.example", "order_id": 820982911946154508, "fields": {"shop": 820982911946154509}}');
    const onChange = renderForm({ params });
    expect(document.getElementById('param-order_id').value).toBe('820982911946154508');
    await act(async () => fireEvent.change(document.getElementById('param-url'), { target: { value: 'https://b.example' } }));
    const [{ params: changed }] = onChange.mock.lastCall;
    expect(toJson(changed)).toBe('{"url":"https://b.example","order_id":820982911946154508,"fields":{"shop":820982911946154509}}');
  });

  it('switches a field to an expression and shows the server’s problem at its field', async () => {
    const onChange = renderForm({ params: { url: 'x' } });
    const field = document.querySelector('[data-field=url]');
    within(field).getByText('Not a web address.');
    await act(async () => fireEvent.click(within(field).getByRole('button', { name: 'From data' })));
    expect(onChange).toHaveBeenLastCalledWith({ params: {}, mapping: { url: '' } });
  });

  it('edits an expression and speaks the page’s language', async () => {
    const onChange = renderForm({ params: {}, mapping: { url: 'trigger.url' } }, 'de');
    const field = document.querySelector('[data-field=url]');
    within(field).getByRole('button', { name: 'Aus Daten' });
    await act(async () => fireEvent.change(screen.getByDisplayValue('trigger.url'), { target: { value: 'input.url' } }));
    expect(onChange).toHaveBeenLastCalledWith({ params: {}, mapping: { url: 'input.url' } });
  });
});
