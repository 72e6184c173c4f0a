// Undo and redo over the document's graph: a snapshot is remembered before each change.
import { useCallback, useRef, useState } from 'react';
import { createHistory, record, redo as redoStep, undo as undoStep } from '../history.js';

export function useHistory({ latest, setNodes, setEdges, setDirty }) {
  const history = useRef(createHistory());
  const [canUndo, setCanUndo] = useState(false);
  const [canRedo, setCanRedo] = useState(false);

  const setHistory = useCallback((next) => {
    history.current = next;
    setCanUndo(next.past.length > 0);
    setCanRedo(next.future.length > 0);
  }, []);

  /** Take a snapshot before a change; `key` merges quick repeats (typing, nudging). */
  const remember = useCallback(
    (key = null) => setHistory(record(history.current, latest.current, key, Date.now())),
    [latest, setHistory],
  );

  const travel = useCallback(
    (step) => {
      const moved = step(history.current, latest.current);
      if (!moved) return;
      setHistory(moved.history);
      setNodes(moved.snapshot.nodes);
      setEdges(moved.snapshot.edges);
      setDirty(true);
    },
    [latest, setHistory, setNodes, setEdges, setDirty],
  );

  const undo = useCallback(() => travel(undoStep), [travel]);
  const redo = useCallback(() => travel(redoStep), [travel]);
  const forget = useCallback(() => setHistory(createHistory()), [setHistory]);

  return { remember, undo, redo, canUndo, canRedo, forget };
}
