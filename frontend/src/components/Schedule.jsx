// Under a schedule field: the next times the flow will start, or why the schedule cannot run.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, toJson } from '../api.js';
import { formatRun } from '../schedule.js';

const PREVIEW_DELAY_MS = 300;

export default function NextRuns({ schedule }) {
  const { t } = useTranslation();
  const [preview, setPreview] = useState(null);
  const text = toJson(schedule ?? null);
  useEffect(() => {
    if (!schedule || typeof schedule !== 'object') {
      setPreview(null);
      return undefined;
    }
    let stale = false;
    const timer = setTimeout(() => {
      api('POST', '/api/schedules/preview', { schedule })
        .then((reply) => !stale && setPreview({ ok: true, ...reply }))
        .catch((err) => {
          if (stale) return;
          const first = err.errors && err.errors[0];
          setPreview({ ok: false, message: (first && first.message) || err.message });
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
    // text stands for schedule: the object is rebuilt on every render
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);
  if (!preview) return null;
  if (!preview.ok) {
    return (
      <p className="preview bad" role="alert" data-testid="next-runs">
        {preview.message}
      </p>
    );
  }
  return (
    <div className="next-runs" data-testid="next-runs">
      <p className="hint">{t('next_runs', { zone: preview.timezone })}</p>
      <ul>
        {preview.next_runs.map((run) => (
          <li key={run}>{formatRun(t, run, preview.timezone)}</li>
        ))}
        {!preview.next_runs.length && <li>{t('next_runs_none')}</li>}
      </ul>
    </div>
  );
}
