// Ctrl/⌘+Z, Ctrl/⌘+Shift+Z, Ctrl+Y, Ctrl/⌘+C/V and the arrow keys on the canvas. Ignored while
// typing in a field or while a dialog is open.
import { useEffect } from 'react';
import { shortcut } from '../history.js';

const NUDGE = 10; // px per arrow key press (×4 with Shift)
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

function isEditable(target) {
  if (!target || !target.closest) return false;
  return !!target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
}

/** Runs the action of a key; true when the key was used. */
function handle(event, { undo, redo, copy, paste, nudge }) {
  const action = shortcut(event);
  if (action === 'undo') undo();
  else if (action === 'redo') redo();
  // Text selected on the page is copied by the browser, not as steps.
  else if (action === 'copy') return !String(window.getSelection() || '') && copy();
  else if (action === 'paste') return paste();
  else if (!action && ARROWS[event.key] && !event.ctrlKey && !event.metaKey && !event.altKey) {
    const factor = event.shiftKey ? 4 : 1;
    const [x, y] = ARROWS[event.key];
    if (!nudge(x * NUDGE * factor, y * NUDGE * factor)) return false;
    event.stopPropagation(); // the same 10 px steps when a node has focus (not React Flow's 5)
  } else return false;
  return true;
}

export function useKeyboardShortcuts({ undo, redo, copy, paste, nudge }) {
  useEffect(() => {
    const onKey = (event) => {
      if (isEditable(event.target)) return;
      if (document.querySelector('.dialog-backdrop, [role="dialog"]')) return;
      if (handle(event, { undo, redo, copy, paste, nudge })) event.preventDefault();
    };
    // Capture: seen before React Flow's own handlers on a focused node.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [undo, redo, copy, paste, nudge]);
}
