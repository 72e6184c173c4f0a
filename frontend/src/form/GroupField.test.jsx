// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from '../i18n.js';
import ParamForm from './ParamForm.jsx';

const SPEC = {
  key: 'core.webhook',
  params: {
    type: 'object',
    properties: {
      respond: {
        enum: ['immediately', 'from_flow'],
        title: 'Answer to the sender',
        'x-enum-titles': {
          immediately: { en: 'At once: the event arrived', de: 'Sofort: Ereignis angekommen' },
          from_flow: { en: 'The answer of the flow', de: 'Die Antwort des Ablaufs' },
        },
      },
      signature: {
        type: 'object',
        additionalProperties: false,
        title: 'Check the signature',
        required: ['header'],
        properties: {
          header: { type: 'string', title: 'Header with the signature' },
          encoding: { enum: ['hex', 'base64'], default: 'hex', title: 'Written as', 'x-enum-titles': { hex: { en: 'Hexadecimal', de: 'Hexadezimal' }, base64: 'Base64' } },
        },
      },
    },
  },
};

function renderForm(params, lang = 'en') {
  const onChange = vi.fn();
  render(
    <I18nextProvider i18n={createI18n(lang)}>
      <ParamForm node={{ id: 'hook', data: { type: SPEC.key, params } }} spec={SPEC} problems={[]} onChange={onChange} />
    </I18nextProvider>,
  );
  return onChange;
}

afterEach(cleanup);

describe('plain choices', () => {
  it('shows each choice in words, in the editor’s language', () => {
    renderForm({}, 'de');
    const options = [...document.getElementById('param-respond').options].map((o) => o.textContent);
    expect(options).toContain('Sofort: Ereignis angekommen');
    expect(options).not.toContain('from_flow');
  });

  it('edits a group of settings input by input, not as JSON', async () => {
    const onChange = renderForm({});
    expect(document.querySelector('textarea')).toBeNull();
    await act(async () => fireEvent.change(screen.getByLabelText(/Header with the signature/), { target: { value: 'X-Signature' } }));
    expect(onChange).toHaveBeenLastCalledWith({ params: { signature: { header: 'X-Signature' } }, mapping: undefined });
    await act(async () => fireEvent.change(screen.getByLabelText(/Written as/), { target: { value: 'base64' } }));
    expect(onChange.mock.lastCall[0].params.signature.encoding).toBe('base64');
  });
});
