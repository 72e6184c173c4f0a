// The bar under the toolbar of a flow with a webhook trigger: the production address (while the
// flow is on), the test address (always), Copy, waiting for a test event, and the provider's
// set-up steps when Shopwire cannot register the address itself.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Not a secure context, or no permission: fall back to selecting and copying the text.
    if (!input) return false;
    input.select();
    return document.execCommand('copy');
  }
}

export function Address({ label, url, testId }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(null);
  return (
    <label className="webhook-row" data-testid={testId}>
      <span className="webhook-label">{label}</span>
      <input type="text" readOnly value={url} className="webhook-url" onFocus={(e) => e.target.select()} />
      <button
        type="button"
        className="secondary"
        onClick={async (e) => {
          const input = e.currentTarget.parentElement.querySelector('input');
          setCopied((await copyText(url, input)) ? 'yes' : 'no');
          setTimeout(() => setCopied(null), 2500);
        }}
      >
        {copied === 'yes' ? t('copied') : t('copy')}
      </button>
      {copied === 'no' && <span className="hint bad">{t('copy_failed')}</span>}
    </label>
  );
}

export default function Webhook({ flow, setup, listening, onListen }) {
  const { t } = useTranslation();
  const production = (flow.webhooks || [])[0];
  const test = (flow.test_webhooks || [])[0];
  if (!test) {
    return flow.active ? (
      <div className="webhook-bar" data-testid="webhook">
        <span className="muted">{t('webhook_none')}</span>
      </div>
    ) : null;
  }
  return (
    <div className="webhook-bar" data-testid="webhook">
      {production ? (
        <Address label={t('webhook_url')} url={production.url} testId="webhook-production" />
      ) : (
        <span className="hint">{t('webhook_off')}</span>
      )}
      <Address label={t('webhook_test_url')} url={test.url} testId="webhook-test" />
      <button type="button" className="secondary" onClick={onListen} data-testid="listen">
        {listening ? t('listen_stop') : t('listen')}
      </button>
      {listening && (
        <span className="hint" role="status">
          <span className="spinner" aria-hidden="true" /> {t('listening')}
        </span>
      )}
      <span className="hint">{setup || t('webhook_hint')}</span>
    </div>
  );
}
