// The bar under the toolbar of a switched-on flow: where the shop sends its events, and Copy.
import { useState } from 'react';

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

export default function Webhook({ hooks, t }) {
  const [copied, setCopied] = useState(null);
  if (!hooks.length) {
    return (
      <div className="webhook-bar" data-testid="webhook">
        <span className="muted">{t('webhook_none')}</span>
      </div>
    );
  }
  return (
    <div className="webhook-bar" data-testid="webhook">
      {hooks.slice(0, 1).map((hook) => (
        <label key={hook.url} className="webhook-row">
          <span className="webhook-label">{t('webhook_url')}</span>
          <input
            type="text"
            readOnly
            value={hook.url}
            className="webhook-url"
            onFocus={(e) => e.target.select()}
          />
          <button
            type="button"
            className="secondary"
            onClick={async (e) => {
              const input = e.currentTarget.parentElement.querySelector('input');
              setCopied((await copyText(hook.url, input)) ? 'yes' : 'no');
              setTimeout(() => setCopied(null), 2500);
            }}
          >
            {copied === 'yes' ? t('copied') : t('copy')}
          </button>
          {copied === 'no' && <span className="hint bad">{t('copy_failed')}</span>}
        </label>
      ))}
      <span className="hint">{t('webhook_hint')}</span>
    </div>
  );
}
