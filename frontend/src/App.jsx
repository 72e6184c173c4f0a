// The flow editor: the flow document and its history, the canvas, the palette, the side panel and
// test runs. A viewer sees the flow, its steps, data and runs, and changes nothing: the server
// refuses their changes anyway, so the editor does not offer them.
import { useCallback, useMemo, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { EditorContext } from './context.js';
import { localized } from './i18n.js';
import FlowCanvas from './components/FlowCanvas.jsx';
import NodePanel from './components/NodePanel.jsx';
import Palette from './components/Palette.jsx';
import ProblemList from './components/ProblemList.jsx';
import SwitchOnDialog from './components/SwitchOnDialog.jsx';
import TestDialog from './components/TestDialog.jsx';
import Toolbar from './components/Toolbar.jsx';
import Webhook from './components/Webhook.jsx';
import { DRAG_TYPE, useCanvasEvents } from './hooks/useCanvasEvents.js';
import { useClipboard } from './hooks/useClipboard.js';
import { useFlowDocument } from './hooks/useFlowDocument.js';
import { useGraphEditing } from './hooks/useGraphEditing.js';
import { useHistory } from './hooks/useHistory.js';
import { useKeyboardShortcuts } from './hooks/useKeyboardShortcuts.js';
import { useNotice } from './hooks/useNotice.js';
import { useStepScope } from './hooks/useStepScope.js';
import { useTestDialog } from './hooks/useTestDialog.js';
import { useTestRun } from './hooks/useTestRun.js';

function Editor({ flowId, readOnly = false }) {
  const { t, i18n } = useTranslation();
  const [message, setMessage] = useState(null);
  const [notice, setNotice] = useNotice();
  const flowDocument = useFlowDocument(flowId, { report: setMessage });
  const { catalog, nodes, edges, problems } = flowDocument;
  const history = useHistory(flowDocument);
  const editing = useGraphEditing({ ...flowDocument, remember: history.remember });
  const events = useCanvasEvents({ ...flowDocument, remember: history.remember, addNode: editing.addNode });
  const clipboard = useClipboard({ latest: flowDocument.latest, insert: editing.insert });
  useKeyboardShortcuts({ ...history, ...clipboard, nudge: editing.nudge });
  const testRun = useTestRun(flowId, { dirty: flowDocument.dirty, save: flowDocument.save, report: setMessage });

  const selected = nodes.find((n) => n.selected) || null;
  const selectedSpec = selected && catalog ? catalog[selected.data.type] : null;
  const triggerNode = nodes.find((n) => catalog && catalog[n.data.type]?.kind === 'trigger');
  const triggerSpec = triggerNode ? catalog[triggerNode.data.type] : null;
  const { updateNodeData } = editing;
  const pinTestData = useCallback(
    (sample) => {
      if (!triggerNode) return;
      const { sample: _old, ...extra } = triggerNode.data.extra || {};
      updateNodeData(triggerNode.id, { extra: sample === undefined ? extra : { ...extra, sample } });
    },
    [triggerNode, updateNodeData],
  );
  const testDialog = useTestDialog({
    flowId,
    triggerNode,
    triggerSpec,
    pin: pinTestData,
    start: testRun.start,
    report: setMessage,
  });
  const scope = useStepScope({ selected, nodes, edges, catalog, steps: testRun.shownSteps });

  const { replace } = flowDocument;
  const { forget } = history;
  const restored = useCallback(
    (reply, number) => {
      replace(reply);
      forget();
      setMessage(null);
      setNotice(t('restored', { n: number, v: reply.version }));
    },
    [replace, forget, setNotice, t],
  );

  const { run } = testRun;
  const context = useMemo(
    () => ({ catalog: catalog || {}, problems: problems.byNode, steps: (run && run.steps) || {} }),
    [catalog, problems, run],
  );

  if (flowDocument.loadError) {
    return (
      <div className="editor-message bad" role="alert">
        {t('load_failed')} {flowDocument.loadError}
      </div>
    );
  }

  const { flow } = flowDocument;
  const actions = {
    restored,
    report: setMessage,
    tidy: editing.tidy,
    fit: editing.fit,
    test: testDialog.openDialog,
  };
  return (
    <EditorContext.Provider value={context}>
      <div className="editor">
        <Toolbar
          flowId={flowId}
          flowDocument={flowDocument}
          testRun={testRun}
          history={history}
          readOnly={readOnly}
          actions={actions}
        />
        {flow && (
          <Webhook
            flow={flow}
            setup={triggerSpec && triggerSpec.setup ? localized(triggerSpec.setup, i18n.language) : null}
            listening={testRun.listening}
            onListen={testRun.listening ? testRun.stopListening : testRun.listen}
          />
        )}
        {flowDocument.refusal && (
          <SwitchOnDialog
            refusal={flowDocument.refusal}
            provider={triggerSpec && triggerSpec.connector_title ? localized(triggerSpec.connector_title, i18n.language) : ''}
            connector={triggerSpec ? triggerSpec.connector : ''}
            switching={flowDocument.switching}
            onSwitchOn={flowDocument.switchOnByHand}
            onClose={flowDocument.closeRefusal}
          />
        )}
        {testDialog.open && (
          <TestDialog
            text={testDialog.text}
            example={testDialog.example}
            pinned={testDialog.pinned}
            runs={testDialog.runs}
            onChange={testDialog.setText}
            onTakeRun={testDialog.takeRun}
            onTakeExample={testDialog.takeExample}
            onRun={testDialog.run}
            onClose={testDialog.close}
          />
        )}
        <div className="workspace">
          {catalog && !readOnly ? (
            <Palette catalog={catalog} onAdd={editing.addNode} dragType={DRAG_TYPE} />
          ) : (
            <aside className="palette">{readOnly && <p className="hint">{t('read_only')}</p>}</aside>
          )}
          <div className="canvas" onDragOver={events.onDragOver} onDrop={events.onDrop}>
            <FlowCanvas nodes={nodes} edges={edges} catalog={catalog} events={events} readOnly={readOnly} />
            {notice && (
              <div className="notice" role="status" data-testid="notice">
                {notice}
              </div>
            )}
            <ProblemList
              problems={problems}
              warnings={flowDocument.warnings}
              message={message}
              nodes={nodes}
              catalog={catalog}
              onSelect={editing.selectNode}
            />
          </div>
          <NodePanel
            node={selected}
            spec={selectedSpec}
            problems={selected ? problems.byNode[selected.id] || [] : []}
            step={selected ? testRun.shownSteps[selected.id] : null}
            scope={scope}
            onChange={(patch) => selected && editing.updateNodeData(selected.id, patch)}
            onDelete={() => selected && editing.deleteNode(selected.id)}
          />
        </div>
      </div>
    </EditorContext.Provider>
  );
}

export default function App(props) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}
