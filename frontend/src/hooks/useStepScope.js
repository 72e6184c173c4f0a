// What the selected step can read in a "from data" field: {scope, fromRun}. Steps without
// run data get samples: on every selection the server feeds the trigger's example through the
// flow as it is now, so a step after a Map shows the fields that Map builds before any run.
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api.js';
import { fromReactFlow } from '../graph.js';
import { buildScope, fromRun } from '../mapping.js';

const NO_SCOPE = { scope: null, fromRun: false };

export function useStepScope({ selected, nodes, edges, catalog, steps }) {
  const [samples, setSamples] = useState({});
  const selectedId = selected ? selected.id : null;

  useEffect(() => {
    if (!selectedId) return undefined;
    let current = true;
    api('POST', '/api/mappings/samples', { graph: fromReactFlow(nodes, edges) })
      .then((reply) => current && setSamples(reply.samples))
      .catch(() => current && setSamples({}));
    return () => {
      current = false;
    };
    // Only a new selection refetches: moving or editing steps must not send a request each time.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedId]);

  return useMemo(
    () =>
      selected && catalog
        ? {
            scope: buildScope(selected.id, nodes, edges, catalog, steps, samples),
            fromRun: fromRun(selected.id, edges, steps),
          }
        : NO_SCOPE,
    [selected, nodes, edges, catalog, steps, samples],
  );
}
