// A flow drawn as the editor draws it, for looking only: no editing, selecting or connecting;
// it fits the view and scrolling the page is not taken over (zoom with the buttons).
import { Background, Controls, ReactFlow } from '@xyflow/react';
import { useMemo } from 'react';
import { EditorContext } from '../context.js';
import { toReactFlow } from '../graph.js';
import FlowNode from './FlowNode.jsx';

const NODE_TYPES = { flowNode: FlowNode };
const EDGE_OPTIONS = { type: 'smoothstep' };
const PRO_OPTIONS = { hideAttribution: true };
const FIT = { padding: 0.15, maxZoom: 1 };

export default function FlowPreview({ graph, catalog, icons, label }) {
  const { nodes, edges } = useMemo(() => toReactFlow(graph), [graph]);
  const context = useMemo(() => ({ catalog, problems: {}, steps: {}, icons }), [catalog, icons]);
  return (
    <EditorContext.Provider value={context}>
      <ReactFlow
        aria-label={label}
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        defaultEdgeOptions={EDGE_OPTIONS}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        zoomOnScroll={false}
        preventScrolling={false}
        minZoom={0.1}
        fitView
        fitViewOptions={FIT}
        proOptions={PRO_OPTIONS}
      >
        <Background gap={20} color="#d9dee8" />
        <Controls showInteractive={false} />
      </ReactFlow>
    </EditorContext.Provider>
  );
}
