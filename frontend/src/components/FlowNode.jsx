// The one node component: everything it shows comes from the node type's catalog declaration.
import { memo, useContext, useEffect, useRef } from 'react';
import { Handle, Position, useUpdateNodeInternals } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { EditorContext } from '../context.js';
import { localized, statusText } from '../i18n.js';
import { nodePorts } from '../graph.js';

function FlowNode({ id, data, selected }) {
  const { catalog, problems, steps, icons } = useContext(EditorContext);
  const { t, i18n } = useTranslation();
  const spec = catalog[data.type];
  const kind = spec ? spec.kind : 'unknown';
  const title = spec ? localized(spec.title, i18n.language) : data.type;
  const ports = nodePorts(spec, data);
  const portKey = ports.join('\n');
  const drawnPorts = useRef(portKey);
  const updateNodeInternals = useUpdateNodeInternals();
  // Ports follow the params (a router's branches): React Flow must re-measure the handles.
  useEffect(() => {
    if (drawnPorts.current === portKey) return;
    drawnPorts.current = portKey;
    updateNodeInternals(id);
  }, [id, portKey, updateNodeInternals]);
  const nodeProblems = problems[id] || [];
  const step = steps[id];
  const icon = spec && icons && icons[spec.connector];
  const classes = ['flow-node', `kind-${kind}`];
  if (selected) classes.push('selected');
  if (nodeProblems.length) classes.push('has-error');
  if (step) classes.push(`step-${step.status}`);
  return (
    <div className={classes.join(' ')} data-node-id={id} data-node-type={data.type}>
      {kind !== 'trigger' && <Handle type="target" position={Position.Left} id="in" />}
      <div className="flow-node-kind">
        <span>{spec ? t(`kind_one_${kind}`) : t('unknown_type')}</span>
        {step && <span className={`step-badge ${step.status}`}>{statusText(t, step.status)}</span>}
      </div>
      <div className="flow-node-title">
        {icon && (
          <span className="flow-node-icon" style={{ background: icon.color }} title={icon.title}>
            {icon.letter}
          </span>
        )}
        {data.name || title}
      </div>
      <div className="flow-node-sub">{data.name ? title : id}</div>
      {nodeProblems.length > 0 && (
        <div className="flow-node-error" role="alert">
          {nodeProblems[0].message}
          {nodeProblems.length > 1 ? ` (+${nodeProblems.length - 1})` : ''}
        </div>
      )}
      {ports.map((port, i) => (
        <Handle
          key={port}
          type="source"
          position={Position.Right}
          id={port}
          style={{ top: `${((i + 1) * 100) / (ports.length + 1)}%` }}
          title={port}
        >
          {ports.length > 1 && <span className="port-label">{port}</span>}
        </Handle>
      ))}
    </div>
  );
}

export default memo(FlowNode);
