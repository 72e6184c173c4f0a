// The "Versions" control: every saved version of the flow, and restoring an older one (which
// saves its graph again as the newest version, so nothing is ever lost).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.js';

/** A version's time (the server writes UTC, sometimes without the zone) in the UI language. */
export function formatDate(t, iso) {
  if (!iso) return '';
  const date = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(date.getTime())) return iso;
  return t('version_date', { date });
}

export default function Versions({ flowId, dirty, version, onRestored, onError }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [versions, setVersions] = useState(null);
  const [busy, setBusy] = useState(null);
  const box = useRef(null);

  useEffect(() => {
    if (!open) return undefined;
    setVersions(null);
    api('GET', `/api/flows/${flowId}/versions`)
      .then((reply) => setVersions(reply.versions))
      .catch((err) => {
        setOpen(false);
        onError(t('versions_failed', { message: err.message }));
      });
    const close = (event) => {
      if (box.current && !box.current.contains(event.target)) setOpen(false);
    };
    const escape = (event) => event.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', escape);
    };
  }, [open, flowId, version, t, onError]);

  const restore = async (number) => {
    const question = t('restore_confirm', { n: number }) + (dirty ? ` ${t('restore_dirty')}` : '');
    if (!window.confirm(question)) return;
    setBusy(number);
    try {
      const old = await api('GET', `/api/flows/${flowId}/versions/${number}`);
      const reply = await api('PUT', `/api/flows/${flowId}`, { graph: old.graph });
      onRestored(reply, number);
      setOpen(false);
    } catch (err) {
      onError(t('restore_failed', { message: err.message }));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="versions" ref={box}>
      <button
        type="button"
        className="secondary"
        aria-expanded={open}
        aria-haspopup="dialog"
        onClick={() => setOpen(!open)}
      >
        {t('versions')}
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label={t('versions')} data-testid="versions">
          <h3>{t('versions')}</h3>
          <p className="hint">{t('versions_hint')}</p>
          {versions === null ? (
            <p className="muted">{t('loading_short')}</p>
          ) : (
            <ul className="version-list">
              {versions.map((v) => (
                <li key={v.number} data-version={v.number}>
                  <span className="version-number">{t('version_n', { n: v.number })}</span>
                  <span className="version-date">{formatDate(t, v.created_at)}</span>
                  {v.current ? (
                    <span className="version-current">{t('current')}</span>
                  ) : (
                    <button
                      type="button"
                      className="secondary"
                      disabled={busy !== null}
                      onClick={() => restore(v.number)}
                    >
                      {busy === v.number ? t('restoring') : t('restore')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
