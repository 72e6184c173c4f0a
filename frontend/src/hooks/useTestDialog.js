// The Test button's dialog: the payload text, kept between openings, starting as the
// trigger's example.
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { toJson } from '../api.js';

export function useTestDialog({ triggerSpec, start, report }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(null);
  const example = useMemo(
    () => toJson(triggerSpec && triggerSpec.output_example !== undefined ? triggerSpec.output_example : {}, 2),
    [triggerSpec],
  );

  const openDialog = useCallback(() => {
    if (!triggerSpec) {
      report(t('no_trigger'));
      return;
    }
    setText((current) => current ?? example);
    setOpen(true);
  }, [triggerSpec, example, report, t]);

  const close = useCallback(() => setOpen(false), []);

  const run = useCallback(
    (payload) => {
      setOpen(false);
      start(payload);
    },
    [start],
  );

  return { open, text: text ?? example, example, setText, openDialog, close, run };
}
