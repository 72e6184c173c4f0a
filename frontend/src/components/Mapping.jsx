// "From data" fields: the expression, its live result from the server, and the data tree the
// merchant clicks to build the expression.
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, toJson } from '../api.js';
import { children, filterFunctions, insertCall, insertText, isBranch, pathExpression } from '../mapping.js';
import ConditionBuilder from './ConditionBuilder.jsx';

/** { scope, fromRun } for the selected node; provided by the side panel. */
export const ScopeContext = createContext({ scope: null, fromRun: false });

const PREVIEW_DELAY_MS = 300;

function short(value) {
  const text = toJson(value);
  return text && text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function TreeNode({ name, value, path, onPick, depth }) {
  const { t } = useTranslation();
  const branch = isBranch(value);
  const [open, setOpen] = useState(depth < 1);
  const expression = pathExpression(path);
  const label = typeof name === 'number' ? `[${name}]` : name;
  return (
    <li>
      <div className="tree-row">
        {branch ? (
          <button
            type="button"
            className="tree-toggle"
            aria-expanded={open}
            aria-label={`${open ? t("collapse") : t("expand")} ${expression}`}
            onClick={() => setOpen(!open)}
          >
            {open ? '▾' : '▸'}
          </button>
        ) : (
          <span className="tree-toggle" />
        )}
        <button
          type="button"
          className="tree-key"
          title={t('use_path', { path: expression })}
          data-path={expression}
          draggable
          onDragStart={(e) => {
            // Dropped into an expression field, the browser inserts it where it lands.
            e.dataTransfer.setData('text/plain', expression);
            e.dataTransfer.effectAllowed = 'copy';
          }}
          onClick={() => onPick(expression)}
        >
          {label}
        </button>
        <span className="tree-value">
          {branch
            ? Array.isArray(value)
              ? t('n_items', { count: value.length })
              : ''
            : short(value)}
        </span>
      </div>
      {branch && open && (
        <ul>
          {children(value).map(([key, child]) => (
            <TreeNode
              key={key}
              name={key}
              value={child}
              path={[...path, key]}
              onPick={onPick}
             
              depth={depth + 1}
            />
          ))}
        </ul>
      )}
    </li>
  );
}

export function DataTree({ scope, fromRun, onPick }) {
  const { t } = useTranslation();
  const roots = [
    ['trigger', scope.trigger],
    ['input', scope.input],
    ['steps', scope.steps],
  ].filter(([name, value]) => name === 'trigger' || (value !== null && (name !== 'steps' || Object.keys(value).length)));
  return (
    <div className="data-tree" data-testid="data-tree">
      <p className="hint">{fromRun ? t('data_from_run') : t('data_from_example')}</p>
      <ul>
        {roots.map(([name, value]) => (
          <TreeNode key={name} name={name} value={value} path={[name]} onPick={onPick} depth={0} />
        ))}
      </ul>
    </div>
  );
}

/** The server's verdict on an expression, asked for ~300 ms after the last keystroke. */
export function usePreview(expression, scope) {
  const [preview, setPreview] = useState(null);
  const scopeText = scope ? toJson(scope) : '';
  useEffect(() => {
    if (!scope || !expression || !expression.trim()) {
      setPreview(null);
      return undefined;
    }
    let stale = false;
    const timer = setTimeout(() => {
      api('POST', '/api/mappings/preview', { expression, scope })
        .then((reply) => {
          if (stale) return;
          setPreview(reply.error ? { ok: false, ...reply.error } : { ok: true, ...reply });
        })
        .catch((err) => {
          if (stale) return;
          const first = err.errors && err.errors[0];
          setPreview({
            ok: false,
            message: (first && first.message) || err.message,
            position: err.problem && err.problem.position,
          });
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
    // scopeText stands for scope: the object is rebuilt on every render
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [expression, scopeText]);
  return preview;
}

const KIND_KEYS = {
  'true/false': 'kind_boolean',
  number: 'kind_number',
  text: 'kind_text',
  list: 'kind_list',
  'group of fields': 'kind_object',
  nothing: 'kind_nothing',
};

export function Preview({ preview }) {
  const { t } = useTranslation();
  if (!preview) return null;
  if (!preview.ok) {
    return (
      <p className="preview bad" role="alert" data-testid="preview">
        {preview.message}
        {preview.position != null && ` (${t('at_position', { n: preview.position })})`}
      </p>
    );
  }
  return (
    <div className={`preview ${preview.found ? 'ok' : 'empty'}`} data-testid="preview">
      <span className="preview-kind">{t(KIND_KEYS[preview.type] || 'kind_value')}</span>
      {preview.found ? <code>{short(preview.result)}</code> : <span>{t('nothing_found')}</span>}
    </div>
  );
}

// The registry of functions is the same for every field: fetched once per page.
let functionsRequest = null;
function loadFunctions() {
  functionsRequest ||= api('GET', '/api/functions').then((reply) => reply.functions).catch((err) => {
    functionsRequest = null;
    throw err;
  });
  return functionsRequest;
}

/** The searchable list of functions; a click inserts the chosen one into the expression. */
export function FunctionList({ onPick }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [functions, setFunctions] = useState(null);
  const [failed, setFailed] = useState(null);
  const [query, setQuery] = useState('');
  useEffect(() => {
    loadFunctions().then(setFunctions, (err) => setFailed(err.message));
  }, []);
  if (failed) return <p className="field-error" role="alert">{t('functions_failed', { message: failed })}</p>;
  if (!functions) return <p className="hint">{t('loading_short')}</p>;
  const shown = filterFunctions(functions, query, lang);
  return (
    <div className="function-list" data-testid="function-list">
      <input
        type="search"
        aria-label={t('functions_search')}
        placeholder={t('functions_search')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <p className="hint">{t('functions_hint')}</p>
      <ul>
        {shown.map((f) => (
          <li key={f.name}>
            <button type="button" className="function-name" data-function={f.name} onClick={() => onPick(f.name)}>
              <code>{f.signature}</code>
            </button>
            <span className="function-description">{f.description[lang] || f.description.en}</span>
            <span className="function-example">
              <code>{f.example}</code> → <code>{f.result}</code>
            </span>
          </li>
        ))}
        {!shown.length && <li className="hint">{t('functions_none')}</li>}
      </ul>
    </div>
  );
}

/** `insert(text, start, end)` → {text, cursor}, applied at the field's cursor or selection. */
function useInsertAtCursor(input, value, onChange) {
  return (insert) => {
    const field = input.current;
    const text = value ?? '';
    const start = field ? field.selectionStart ?? text.length : text.length;
    const end = field ? field.selectionEnd ?? start : start;
    const inserted = insert(text, start, end);
    onChange(inserted.text);
    // Put the cursor where the merchant continues typing, once React has rendered the text.
    requestAnimationFrame(() => {
      if (!input.current) return;
      input.current.focus();
      input.current.setSelectionRange(inserted.cursor, inserted.cursor);
    });
  };
}

export function ExpressionInput({ value, onChange, id, condition = false }) {
  const { t } = useTranslation();
  const { scope, fromRun } = useContext(ScopeContext);
  const [showTree, setShowTree] = useState(!value && !condition);
  const [showFunctions, setShowFunctions] = useState(false);
  const [showBuilder, setShowBuilder] = useState(condition);
  const input = useRef(null);
  const preview = usePreview(value, scope);
  const insertAtCursor = useInsertAtCursor(input, value, onChange);
  return (
    <div className="expression-field">
      <div className="expression-row">
        <input
          id={id}
          ref={input}
          type="text"
          className="expression"
          spellCheck={false}
          value={value ?? ''}
          placeholder={t(condition ? 'condition_hint' : 'expression_hint')}
          onChange={(e) => onChange(e.target.value)}
        />
        {condition && (
          <button
            type="button"
            className={`secondary data-toggle${showBuilder ? ' on' : ''}`}
            aria-expanded={showBuilder}
            onClick={() => setShowBuilder(!showBuilder)}
          >
            {t('condition_builder')}
          </button>
        )}
        {scope && (
          <button
            type="button"
            className={`secondary data-toggle${showTree ? ' on' : ''}`}
            aria-expanded={showTree}
            onClick={() => setShowTree(!showTree)}
          >
            {t('data')}
          </button>
        )}
        <button
          type="button"
          className={`secondary data-toggle${showFunctions ? ' on' : ''}`}
          aria-expanded={showFunctions}
          onClick={() => setShowFunctions(!showFunctions)}
        >
          {t('functions')}
        </button>
      </div>
      <Preview preview={preview} />
      {condition && showBuilder && <ConditionBuilder expression={value} scope={scope} onChange={onChange} />}
      {showFunctions && (
        <FunctionList
          onPick={(name) => {
            insertAtCursor((text, start, end) => insertCall(text, start, end, name));
            setShowFunctions(false);
          }}
        />
      )}
      {scope && showTree && (
        <DataTree
          scope={scope}
          fromRun={fromRun}
          onPick={(path) => {
            insertAtCursor((text, start, end) => insertText(text, start, end, path));
            setShowTree(false);
          }}
        />
      )}
    </div>
  );
}
