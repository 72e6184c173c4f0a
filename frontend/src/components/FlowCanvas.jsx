// The React Flow canvas with its background, controls and minimap.
import { useCallback } from 'react';
import { Background, Controls, MiniMap, ReactFlow } from '@xyflow/react';
import { FIT } from '../hooks/useFlowDocument.js';
import FlowNode from './FlowNode.jsx';

const NODE_TYPES = { flowNode: FlowNode };
const DELETE_KEYS = ['Delete', 'Backspace'];
const EDGE_OPTIONS = { type: 'smoothstep' };
const PRO_OPTIONS = { hideAttribution: true };
const MIN_ZOOM = 0.1; // a 200-step flow still fits the window
const KIND_COLOURS = { trigger: '#7c3aed', transform: '#0e7490', action: '#c2410c' };

export default function FlowCanvas({ nodes, edges, catalog, events, readOnly }) {
  const minimapColour = useCallback(
    (node) => {
      const spec = catalog && catalog[node.data.type];
      return (spec && KIND_COLOURS[spec.kind]) || '#94a3b8';
    },
    [catalog],
  );
  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={NODE_TYPES}
      onNodesChange={events.handleNodesChange}
      onEdgesChange={events.handleEdgesChange}
      onConnect={events.onConnect}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      onNodeDragStart={events.onNodeDragStart}
      onNodeDragStop={events.onNodeDragStop}
      onBeforeDelete={events.onBeforeDelete}
      deleteKeyCode={readOnly ? null : DELETE_KEYS}
      defaultEdgeOptions={EDGE_OPTIONS}
      minZoom={MIN_ZOOM}
      fitView
      fitViewOptions={FIT}
      proOptions={PRO_OPTIONS}
    >
      <Background gap={20} color="#d9dee8" />
      <Controls showInteractive={false} />
      <MiniMap pannable zoomable maskColor="rgba(238, 241, 246, 0.75)" nodeColor={minimapColour} />
    </ReactFlow>
  );
}
