// One fetch helper for the JSON API. Responses are parsed losslessly: integers beyond
// 2**53 (Shopify order ids) stay exact as LosslessNumber and are written back unchanged.
import { parse, stringify, isSafeNumber, LosslessNumber } from 'lossless-json';

export function parseNumber(text) {
  return isSafeNumber(text) ? parseFloat(text) : new LosslessNumber(text);
}

export function parseJson(text) {
  return parse(text, null, parseNumber);
}

export function toJson(value, indent) {
  return stringify(value, null, indent);
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.errors = (problem && problem.errors) || [];
  }
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : toJson(body),
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? parseJson(text) : null;
  } catch (err) {
    if (res.ok) throw err;  // an error page in HTML: report the status below
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
