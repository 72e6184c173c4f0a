// The Test button's dialog: the data to start the test run with, the trigger's example by
// default, or whatever the merchant pastes (checked to be JSON before it is sent).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseJson } from '../api.js';

/** The pasted text as a payload, or the reason it is not one. */
export function readPayload(text) {
  if (!text.trim()) return { error: 'empty' };
  try {
    return { payload: parseJson(text) };
  } catch (err) {
    return { error: 'invalid', detail: err.message };
  }
}

export default function TestDialog({ text, example, onChange, onRun, onClose }) {
  const { t } = useTranslation();
  const [problem, setProblem] = useState(null);
  const area = useRef(null);
  useEffect(() => {
    area.current?.focus();
    const escape = (event) => event.key === 'Escape' && onClose();
    document.addEventListener('keydown', escape);
    return () => document.removeEventListener('keydown', escape);
  }, [onClose]);

  const run = () => {
    const read = readPayload(text);
    if (read.error === 'empty') setProblem(t('payload_empty'));
    else if (read.error) setProblem(t('payload_invalid', { message: read.detail }));
    else onRun(read.payload);
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="test-title" data-testid="test-dialog">
        <h2 id="test-title">{t('test_title')}</h2>
        <p className="hint">{t('test_hint')}</p>
        <label className="field-label" htmlFor="test-payload">
          {t('payload')}
        </label>
        <textarea
          id="test-payload"
          ref={area}
          rows={14}
          spellCheck={false}
          value={text}
          onChange={(e) => {
            onChange(e.target.value);
            setProblem(null);
          }}
        />
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="secondary" onClick={() => onChange(example)} disabled={text === example}>
            {t('use_example')}
          </button>
          <div className="spacer" />
          <button type="button" className="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="button" onClick={run}>
            {t('run_test')}
          </button>
        </div>
      </div>
    </div>
  );
}
