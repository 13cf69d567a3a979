// The live connection (docs/protocol.md): hello, snapshot, queue, acks, reconnect with
// backoff, and an outbox of unacknowledged actions that survives reloads (sessionStorage)
// and is resent with the same client_id after every reconnect.
import { session } from './dom.js';

const WATCHDOG_MS = 20000; // no answer this long while actions wait: the socket is dead
const MAX_BACKOFF_MS = 30000;

const SECTIONS = ['open', 'answered', 'pending', 'hidden'];

// The mirror of townhall/live/diff.py: bring a queue body forward by a `queue_diff`.
export function applyDiff(body, diff) {
  const items = new Map();
  for (const name of SECTIONS) for (const item of body[name] || []) items.set(item.id, item);
  if (body.now_answering) items.set(body.now_answering.id, body.now_answering);
  for (const id of diff.removed) items.delete(id);
  for (const item of diff.items) items.set(item.id, item);
  for (const [id, votes] of diff.votes || []) {
    if (items.has(id)) items.set(id, { ...items.get(id), votes });
  }
  const next = { ...body, event: diff.event || body.event, totals: diff.totals || body.totals };
  for (const name of SECTIONS) {
    if (!(name in body) && !(name in diff.order)) continue;
    const ids = diff.order[name] || (body[name] || []).map((item) => item.id);
    next[name] = ids.map((id) => items.get(id));
  }
  const now = diff.order.now_answering || (body.now_answering ? [body.now_answering.id] : []);
  next.now_answering = now.length ? items.get(now[0]) : null;
  return next;
}

// `venue`: the stage screen's venue token, passed on in every hello (docs/integrity.md).
export function connectLive({ slug, moderatorKey = null, venue = null, on = {} }) {
  const role = moderatorKey ? 'moderator' : 'participant';
  const key = `townhall.outbox.${role}.${slug}`;
  const prefix = role[0] + Math.random().toString(36).slice(2, 8) + Date.now().toString(36).slice(-4);
  const retries = new Map();
  let outbox = Array.isArray(session.get(key)) ? session.get(key) : [];
  let counter = 0;
  let ws = null;
  let ready = false; // snapshot received on the current socket
  let body = null; // the queue as last received, to apply diffs to
  let version = null;
  let tries = 0;
  let retryTimer = 0;
  let watchdog = 0;
  let stopped = false;

  const emit = (name, ...args) => on[name] && on[name](...args);
  const save = () => { session.set(key, outbox.length ? outbox : null); emit('outbox', outbox); };

  function url() {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/events/${encodeURIComponent(slug)}`;
  }

  function open() {
    clearTimeout(retryTimer);
    retryTimer = 0;
    if (stopped || ws) return;
    emit('status', 'connecting');
    let sock;
    try { sock = new WebSocket(url()); } catch { schedule(); return; }
    ws = sock;
    let lastError = null;
    sock.onopen = () => {
      const hello = { type: 'hello' };
      if (moderatorKey) hello.moderator_key = moderatorKey;
      else if (venue) hello.venue = venue;
      sock.send(JSON.stringify(hello));
    };
    sock.onmessage = (e) => {
      if (ws !== sock) return;
      let m;
      try { m = JSON.parse(e.data); } catch { return; }
      switch (m.type) {
        case 'welcome': emit('welcome', m); break;
        case 'snapshot':
          tries = 0;
          ready = true;
          body = m;
          version = null; // the server's next state is a full one
          emit('status', 'online');
          emit('snapshot', m);
          for (const a of outbox) sock.send(JSON.stringify(a));
          break;
        case 'queue':
          body = m;
          version = m.version;
          emit('queue', m);
          break;
        case 'queue_diff':
          if (!body || m.base !== version) {
            // Out of step (should not happen): reconnect for a fresh snapshot.
            sock.close();
            lost(sock, 0, null);
            return;
          }
          body = applyDiff(body, m);
          version = m.version;
          emit('queue', body);
          break;
        case 'ack':
        case 'refused': settle(m); break;
        case 'error': lastError = m; emit('error', m); break;
      }
      arm();
    };
    sock.onclose = (e) => lost(sock, e.code, lastError);
  }

  function lost(sock, code, error) {
    if (ws !== sock) return;
    sock.onclose = sock.onmessage = null;
    ws = null;
    ready = false;
    clearTimeout(watchdog);
    const fatal = code === 4403 || code === 4404; // 4400 (slow hello) and 4408 (fell behind): retry
    emit('status', fatal ? 'failed' : 'offline', { code, error });
    if (fatal) stopped = true;
    else schedule();
  }

  function schedule() {
    if (stopped || retryTimer) return;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(tries, 5));
    tries += 1;
    retryTimer = setTimeout(open, delay * (0.5 + Math.random() / 2));
  }

  // While actions wait for an answer, silence means a dead connection (common on mobile).
  function arm() {
    clearTimeout(watchdog);
    if (ready && outbox.length) {
      const sock = ws;
      watchdog = setTimeout(() => {
        try { sock.close(); } catch { /* already closed */ }
        lost(sock, 0, null);
      }, WATCHDOG_MS);
    }
  }

  function settle(m) {
    const i = outbox.findIndex((a) => a.client_id === m.client_id);
    const action = i >= 0 ? outbox[i] : null;
    if (m.type === 'refused' && m.code === 'busy' && action) {
      // The server is saturated and applied nothing: keep the action and send it again after
      // the pause it asked for (spread out, so the crowd does not come back all at once).
      emit('busy', true);
      const delay = (m.retry_after_ms || 1000) * (1 + Math.random());
      setTimeout(() => ready && ws && outbox.includes(action) && ws.send(JSON.stringify(action)), delay);
      return;
    }
    if (m.type === 'ack') emit('busy', false);
    if (m.type === 'refused' && m.code === 'internal' && action) {
      // Nothing was applied; try again a couple of times before giving up.
      const n = (retries.get(m.client_id) || 0) + 1;
      retries.set(m.client_id, n);
      if (n < 3) {
        setTimeout(() => ready && ws && outbox.includes(action) && ws.send(JSON.stringify(action)), 1500 * n);
        return;
      }
    }
    if (i >= 0) {
      outbox.splice(i, 1);
      save();
    }
    emit(m.type, m, action);
  }

  function send(type, fields = {}) {
    counter += 1;
    const action = { type, client_id: `${prefix}-${counter}`, ...fields };
    outbox.push(action);
    save();
    if (ready && ws) {
      ws.send(JSON.stringify(action));
      arm();
    }
    return action;
  }

  const wake = () => { if (!ws && !stopped) { tries = 0; open(); } };
  addEventListener('online', wake);
  addEventListener('pageshow', wake);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && wake());
  addEventListener('offline', () => {
    if (ws) { const sock = ws; try { sock.close(); } catch { /* ignore */ } lost(sock, 0, null); }
  });

  open();
  return {
    send,
    pending: () => outbox,
    get online() { return ready; },
    stop() { stopped = true; if (ws) ws.close(); },
  };
}
