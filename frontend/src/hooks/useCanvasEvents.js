// React Flow's own changes (drag, delete key, connect, arrow keys on a focused step) and drops
// from the palette, turned into undo steps and the unsaved mark.
import { useCallback, useRef } from 'react';
import { addEdge, useReactFlow } from '@xyflow/react';
import { edgeId } from '../graph.js';

export const DRAG_TYPE = 'application/x-shopwire-node';
const GRAPH_CHANGES = ['remove', 'add', 'position', 'replace'];

export function useCanvasEvents({ catalog, onNodesChange, onEdgesChange, setEdges, setDirty, remember, addNode }) {
  const { screenToFlowPosition } = useReactFlow();
  const dragging = useRef(false);

  const handleNodesChange = useCallback(
    (changes) => {
      if (changes.some((c) => GRAPH_CHANGES.includes(c.type))) setDirty(true);
      // React Flow's own arrow-key moves (focus on a node): one undo step per burst.
      if (!dragging.current && changes.some((c) => c.type === 'position' && !c.dragging)) {
        remember('nudge');
      }
      onNodesChange(changes);
    },
    [onNodesChange, setDirty, remember],
  );

  const handleEdgesChange = useCallback(
    (changes) => {
      if (changes.some((c) => c.type === 'remove' || c.type === 'add')) setDirty(true);
      onEdgesChange(changes);
    },
    [onEdgesChange, setDirty],
  );

  const onNodeDragStart = useCallback(() => {
    dragging.current = true;
    remember();
  }, [remember]);

  const onNodeDragStop = useCallback(() => {
    dragging.current = false;
  }, []);

  // Delete/Backspace on the canvas: one undo step for the nodes and edges it removes.
  const onBeforeDelete = useCallback(async () => {
    remember();
    return true;
  }, [remember]);

  const onConnect = useCallback(
    (connection) => {
      const port = connection.sourceHandle || 'main';
      remember();
      setEdges((current) =>
        addEdge(
          { ...connection, sourceHandle: port, id: edgeId(connection.source, connection.target, port) },
          current,
        ),
      );
      setDirty(true);
    },
    [setEdges, setDirty, remember],
  );

  const onDragOver = useCallback((event) => {
    if (event.dataTransfer.types.includes(DRAG_TYPE)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (event) => {
      const key = event.dataTransfer.getData(DRAG_TYPE);
      if (!key || !catalog[key]) return;
      event.preventDefault();
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(catalog[key], { x: position.x - 90, y: position.y - 30 });
    },
    [catalog, addNode, screenToFlowPosition],
  );

  return {
    handleNodesChange,
    handleEdgesChange,
    onNodeDragStart,
    onNodeDragStop,
    onBeforeDelete,
    onConnect,
    onDragOver,
    onDrop,
  };
}
