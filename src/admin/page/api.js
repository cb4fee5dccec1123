/* global fetch, sessionStorage */
/**
 * Calls to /api/admin with the staff token. The token lives in sessionStorage: it survives
 * a reload but not closing the tab, and is never put in a URL.
 */
const TOKEN_KEY = 'mendan-admin-token';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error;
  }
}

export function savedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export async function api(method, path, { body, headers = {}, token = savedToken() } = {}) {
  const init = { method, headers: { ...headers, authorization: `Bearer ${token ?? ''}` } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`/api/admin${path}`, init);
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}
