// Choices loaded from the connected account (a shop's warehouses, a mailing list's tags) for a
// parameter whose schema says `"x-options": {"source": "<name>"}`.
import { useEffect, useState } from 'react';
import { api } from '../api.js';

export function optionsUrl(nodeType, source, credential) {
  const path = `/api/nodes/${encodeURIComponent(nodeType)}/options/${encodeURIComponent(source)}`;
  return credential ? `${path}?credential=${encodeURIComponent(String(credential))}` : path;
}

/**
 * {state, items, message}: state is 'account' (an account must be chosen first), 'loading',
 * 'loaded' or 'failed' (with the server's message).
 */
export function useOptions(nodeType, source, credential, needsAccount) {
  const waiting = needsAccount && !credential;
  const [result, setResult] = useState({ state: 'loading', items: [] });
  useEffect(() => {
    if (waiting) return undefined;
    let current = true;
    setResult({ state: 'loading', items: [] });
    api('GET', optionsUrl(nodeType, source, credential))
      .then((reply) => current && setResult({ state: 'loaded', items: (reply && reply.items) || [] }))
      .catch((err) => current && setResult({ state: 'failed', items: [], message: err.message }));
    return () => {
      current = false;
    };
  }, [nodeType, source, credential, waiting]);
  return waiting ? { state: 'account', items: [] } : result;
}

/** The value for typed text: a listed choice's own value, a number for a number field, or the text. */
export function chosenValue(text, items, schema) {
  if (text === '') return undefined;
  const listed = items.find((item) => String(item.value) === text);
  if (listed) return listed.value;
  const numeric = schema.type === 'integer' || schema.type === 'number';
  return numeric && text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
}
