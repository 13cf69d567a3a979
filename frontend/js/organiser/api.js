// The organiser JSON API: CSRF header, one retry after the session is renewed, typed errors.
export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.error = error;
  }
}

// `session` supplies the CSRF token, renews the session (true when renewed) and reacts to a
// sign-out; the console owns that state.
export function apiClient(session) {
  return async function api(method, path, body, retry = true) {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (method !== 'GET') {
      init.headers['Content-Type'] = 'application/json';
      const csrf = session.csrf();
      if (csrf) init.headers['X-CSRF-Token'] = csrf;
      init.body = JSON.stringify(body || {});
    }
    let r;
    try { r = await fetch(path, init); } catch { throw new ApiError(0, { code: 'network' }); }
    let data = null;
    try { data = await r.json(); } catch { /* empty or not JSON */ }
    if (r.ok) return data;
    const error = (data && data.error) || { code: 'http' };
    if (r.status === 403 && error.code === 'csrf' && retry && (await session.renew())) return api(method, path, body, false);
    if (r.status === 401 && !path.endsWith('/sign-in')) session.signedOut();
    throw new ApiError(r.status, error);
  };
}
