// Switching on when the provider cannot register the flow's webhook (no public https address,
// no account chosen): why, and the way by hand — the address to add in the shop's admin, and
// the signing secret the shop shows for it, with which the flow switches on.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Address } from './Webhook.jsx';

export default function SwitchOnDialog({ refusal, provider, connector, switching, onSwitchOn, onClose }) {
  const { t } = useTranslation();
  const [secret, setSecret] = useState('');
  const [problem, setProblem] = useState(null);
  const input = useRef(null);
  useEffect(() => {
    input.current?.focus();
    const escape = (event) => event.key === 'Escape' && onClose();
    document.addEventListener('keydown', escape);
    return () => document.removeEventListener('keydown', escape);
  }, [onClose]);

  const switchOn = async (event) => {
    event.preventDefault();
    if (!secret.trim()) {
      setProblem(t('by_hand_needs_secret'));
      return;
    }
    setProblem(await onSwitchOn(secret.trim()));
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="switch-on-title"
        data-testid="switch-on-dialog"
        onSubmit={switchOn}
      >
        <h2 id="switch-on-title">{t('switch_on_title')}</h2>
        <p className="hint" role="alert">
          {refusal.message}
        </p>
        <h3>{t('by_hand_title')}</h3>
        <p className="hint">{t('by_hand_address', { provider, where: t(`by_hand_where_${connector}`, { defaultValue: '' }) })}</p>
        <Address label={t('webhook_url')} url={refusal.url} testId="by-hand-address" />
        <label className="field-label" htmlFor="signing-secret">
          {t('by_hand_secret', { provider })}
        </label>
        <input
          id="signing-secret"
          ref={input}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={secret}
          onChange={(e) => {
            setSecret(e.target.value);
            setProblem(null);
          }}
        />
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        <div className="modal-actions">
          <div className="spacer" />
          <button type="button" className="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="submit" disabled={switching}>
            {t('by_hand_switch_on')}
          </button>
        </div>
      </form>
    </div>
  );
}
