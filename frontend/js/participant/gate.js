// Participation modes: who may ask and vote (docs/protocol.md, "Participation modes"), the
// gate a participant passes (join code, e-mail link, delegate link).
import { $, setText } from '../dom.js';
import { t, explain, currentLang } from '../i18n.js';
import { page, slug, state } from './state.js';

let gateMsg = null; // [key, vars]
export const mayTakePart = () => !state.access || state.access.allowed || (state.event && state.event.access_mode === 'open');

async function accessCall(path, payload) {
  const r = await fetch(`/api/events/${encodeURIComponent(slug)}/access${path}`, payload === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload),
  });
  let data = {};
  try { data = await r.json(); } catch { /* not JSON: treated as a failure below */ }
  if (!r.ok) throw (data.error || { code: 'internal' });
  return data;
}

function setAccess(found) {
  state.access = found;
  state.endorsed = new Set((found && found.endorsed) || []);
}

export async function loadAccess() {
  try { setAccess(await accessCall('')); } catch { /* offline: keep what we knew */ }
  page.render();
}

function sayGate(key, vars) {
  gateMsg = key ? [key, vars] : null;
  setText($('#gate-msg'), key ? t(key, vars) : '');
}

function gateError(error) {
  sayGate(null);
  setText($('#gate-msg'), explain(error));
}

export function renderGate() {
  const mode = (state.access && state.access.mode) || (state.event && state.event.access_mode) || 'open';
  const blocked = !mayTakePart() && mode !== 'open';
  $('#gate').hidden = !blocked;
  setText($('#gate-why'), blocked ? t(`gate_why_${mode}`) : '');
  $('#gate-code').hidden = mode !== 'code';
  $('#gate-email').hidden = mode !== 'email';
  if (gateMsg) setText($('#gate-msg'), t(...gateMsg));
  const ok = state.access && state.access.allowed && state.access.granted;
  $('#gate-ok').hidden = !ok;
  setText($('#gate-ok'), !ok ? '' : state.access.granted === 'invited'
    ? t('gate_delegate', { organisation: state.access.organisation || '' })
    : t(`gate_granted_${state.access.granted}`));
}

export function showGate() {
  renderGate();
  sayGate('gate_needed');
  $('#gate').focus();
}

$('#gate-code').addEventListener('submit', async (e) => {
  e.preventDefault();
  const code = $('#gate-code-input').value.trim();
  if (!code) { $('#gate-code-input').focus(); return; }
  try { setAccess(await accessCall('/code', { code })); sayGate(null); } catch (error) { gateError(error); }
  page.render();
});

$('#gate-email').addEventListener('submit', async (e) => {
  e.preventDefault();
  const email = $('#gate-email-input').value.trim();
  if (!email) { $('#gate-email-input').focus(); return; }
  try {
    // The e-mail is written in the page's language (docs/protocol.md, "Participation modes").
    const sent = await accessCall('/email', { email, language: currentLang() });
    sayGate('gate_email_sent', { email, n: sent.expires_in_minutes });
  } catch (error) { gateError(error); }
});

// A sign-in link (#verify=…) or a delegate link (#invite=…) opened on this device.
export async function followLink() {
  const params = new URLSearchParams(location.hash.slice(1));
  const [path, token] = params.get('verify') ? ['/verify', params.get('verify')] : ['/invitation', params.get('invite')];
  if (!token) return;
  history.replaceState(null, '', location.pathname + location.search); // one use: do not keep it
  try { setAccess(await accessCall(path, { token })); sayGate(null); } catch (error) { gateError(error); $('#gate').hidden = false; }
}
