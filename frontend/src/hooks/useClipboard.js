// The editor's own clipboard for steps (not the system's): copy the selection, paste it again
// and again, each paste a little further down and right.
import { useCallback, useRef } from 'react';
import { copySelection, pasteSelection } from '../graph.js';

const PASTE_OFFSET = 40;

export function useClipboard({ latest, insert }) {
  const clipboard = useRef(null);
  const pasteCount = useRef(0);

  /** Copy the selected steps; false when none is selected. */
  const copy = useCallback(() => {
    const clip = copySelection(latest.current.nodes, latest.current.edges);
    if (!clip.nodes.length) return false;
    clipboard.current = clip;
    pasteCount.current = 0;
    return true;
  }, [latest]);

  /** Paste the copied steps; false when nothing was copied. */
  const paste = useCallback(() => {
    const clip = clipboard.current;
    if (!clip) return false;
    pasteCount.current += 1;
    const shift = PASTE_OFFSET * pasteCount.current;
    insert(pasteSelection(clip, latest.current.nodes, { x: shift, y: shift }));
    return true;
  }, [latest, insert]);

  return { copy, paste };
}
