// The Test button's dialog: the payload text, kept between openings, starting as the trigger's
// test data (the event of a past run the merchant chose) or else its example; and the flow's
// past runs, whose events can become the trigger's test data.
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, toJson } from '../api.js';

const PAST_RUNS = 20;

/** The event a run started with: its trigger's output (the first step). */
export function receivedEvent(execution) {
  const trigger = (execution.steps || [])[0];
  return trigger ? trigger.output : undefined;
}

export function useTestDialog({ flowId, triggerNode, triggerSpec, pin, start, report }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(null);
  const [runs, setRuns] = useState(null);
  const pinned = triggerNode?.data.extra?.sample;
  const example = useMemo(
    () => toJson(triggerSpec && triggerSpec.output_example !== undefined ? triggerSpec.output_example : {}, 2),
    [triggerSpec],
  );
  const testData = useMemo(() => (pinned === undefined ? example : toJson(pinned, 2)), [pinned, example]);

  const openDialog = useCallback(() => {
    if (!triggerSpec) {
      report(t('no_trigger'));
      return;
    }
    setText((current) => current ?? testData);
    setOpen(true);
    api('GET', `/api/executions?flow_id=${encodeURIComponent(flowId)}&limit=${PAST_RUNS}`)
      .then((reply) => setRuns(reply.executions))
      .catch(() => setRuns([]));
  }, [triggerSpec, testData, flowId, report, t]);

  const close = useCallback(() => setOpen(false), []);

  const run = useCallback(
    (payload) => {
      setOpen(false);
      start(payload);
    },
    [start],
  );

  // The chosen run's event becomes the trigger's test data (saved with the flow) and the text.
  const takeRun = useCallback(
    async (executionId) => {
      try {
        const event = receivedEvent(await api('GET', `/api/executions/${encodeURIComponent(executionId)}`));
        if (event === undefined) return;
        pin(event);
        setText(toJson(event, 2));
      } catch (err) {
        report(t('run_load_failed', { message: err.message }));
      }
    },
    [pin, report, t],
  );

  const takeExample = useCallback(() => {
    pin(undefined);
    setText(example);
  }, [pin, example]);

  return {
    open,
    text: text ?? testData,
    example,
    pinned: pinned !== undefined,
    runs,
    setText,
    openDialog,
    close,
    run,
    takeRun,
    takeExample,
  };
}
