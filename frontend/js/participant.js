// The participant page: /e/{slug}
import { $, h, setText, userText, debounce, syncList, session, cleanText, charCount, slugFromPath } from './dom.js';
import { t, num, explain, startI18n, translatePage, currentLang } from './i18n.js';
import { connectLive } from './live.js';
import { wordingFor, wordingsOf, languageCount } from './wordings.js';
import { setupProfile, retranslateProfile, profileSaved, profileRefused } from './profile.js';
import { answeredInLink, commonTag } from './series.js';
import { calendarLinks, moment, windowPhase, windowText } from './calendar.js';
import { askedBy, endorsementBadge, endorsementText } from './organisations.js';

const MAX = 500;
const MIN = 3;
const slug = slugFromPath();
const draftKey = `townhall.draft.${slug}`;
const sortKey = 'townhall.sort';

let body = null; // latest snapshot/queue body
let event = null;
let voted = new Set();
let mine = new Set();
let endorsed = new Set(); // groups this delegate's organisation endorses (roots)
let sort = session.get(sortKey) === 'new' ? 'new' : 'top';
let statusMsg = null; // [key, vars] or [null, text] so it can be re-translated
let connection = 'connecting';
let nowShown = '';
let live = null;

const text = $('#text');
const msg = $('#msg');

const TRANSIENT = ['sending_question', 'sent_question', 'upvoted_instead'];
let sayTimer = 0;
// A refusal is kept as the server sent it, so a language switch translates it again.
function say(key, vars, refusal) {
  statusMsg = [key, vars, refusal];
  setText(msg, key ? t(key, vars) : refusal ? explain(refusal) : '');
  clearTimeout(sayTimer);
  if (TRANSIENT.includes(key)) sayTimer = setTimeout(() => { statusMsg = null; setText(msg, ''); }, 10000);
}


// The stage screen's QR code opens /e/{slug}?venue=...: keep the token for this tab (every
// hello passes it on) and take it out of the address bar so a shared link does not carry it.
function venueToken() {
  const storeKey = `townhall.venue.${slug}`;
  const params = new URLSearchParams(location.search);
  const fromLink = params.get('venue');
  if (fromLink) {
    session.set(storeKey, fromLink);
    params.delete('venue');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
  }
  return fromLink || session.get(storeKey);
}

// --- votes: confirmed state from the server plus actions still in the outbox ---------------
function pendingVotes() {
  const want = new Map();
  for (const a of live ? live.pending() : []) {
    if (a.type === 'vote') want.set(a.question_id, true);
    if (a.type === 'unvote') want.set(a.question_id, false);
  }
  return want;
}
const inGroup = (set, item) => set.has(item.id) || item.merged.some((w) => set.has(w.id));
function voteState(item, want) {
  const confirmed = inGroup(voted, item);
  const on = want.has(item.id) ? want.get(item.id) : confirmed;
  return { on, votes: Math.max(0, item.votes + (on === confirmed ? 0 : on ? 1 : -1)) };
}

function toggleVote(item) {
  if (!mayTakePart()) { showGate(); return; }
  const { on } = voteState(item, pendingVotes());
  live.send(on ? 'unvote' : 'vote', { question_id: item.id });
  render();
}

// --- rendering ------------------------------------------------------------------------------
// --- endorsements: a delegate endorses on behalf of its organisation (never a vote) ---------
const delegateOf = () => (access && access.organisation) || null;
function pendingEndorsements() {
  const want = new Map();
  for (const a of live ? live.pending() : []) {
    if (a.type === 'endorse') want.set(a.question_id, true);
    if (a.type === 'withdraw_endorsement') want.set(a.question_id, false);
  }
  return want;
}
function endorseState(item) {
  const want = pendingEndorsements();
  return want.has(item.id) ? want.get(item.id) : endorsed.has(item.id);
}
function toggleEndorsement(item) {
  if (!delegateOf()) return;
  live.send(endorseState(item) ? 'withdraw_endorsement' : 'endorse', { question_id: item.id });
  render();
}

function createItem(votable) {
  return (item) => {
    const li = h('li', { class: 'q' },
      h('div', { class: 'q-body' },
        h('p', { class: 'q-text' }),
        h('p', { class: 'meta' }),
        h('ul', { class: 'merged' }),
        h('button', { type: 'button', class: 'endorse secondary', hidden: true, onclick: () => toggleEndorsement(li._item) })));
    if (votable) {
      li.append(h('button', { type: 'button', class: 'vote', onclick: () => toggleVote(li._item) },
        h('span', { 'aria-hidden': 'true', class: 'arrow' }, '▲'),
        h('span', { class: 'n', 'aria-hidden': 'true' })));
    }
    return li;
  };
}

function updateItem(li, item, want) {
  li._item = item;
  // The group in the reader's language when one of its wordings is; votes still go to item.id.
  const shown = wordingFor(item);
  userText(li.querySelector('.q-text'), shown.text, shown.language);
  li.dataset.wording = shown.id;
  const state = want ? voteState(item, want) : { on: false, votes: item.votes };
  const meta = li.querySelector('.meta');
  const parts = [];
  if (item.common) parts.push(commonTag());
  if (inGroup(mine, item)) parts.push(h('span', { class: 'mine' }, t('yours')));
  parts.push(h('span', {}, t('votes', { n: state.votes })));
  if (item.asked_by > 1) parts.push(h('span', {}, t('asked_by', { n: item.asked_by })));
  const languages = languageCount(item);
  if (languages > 1) parts.push(h('span', { class: 'languages' }, t('asked_in_languages', { n: languages })));
  parts.push(...askedBy(item));
  const badge = endorsementBadge(item);
  if (badge) parts.push(badge);
  meta.replaceChildren(...parts);
  const endorse = li.querySelector('.endorse');
  const organisation = delegateOf();
  endorse.hidden = !organisation;
  if (organisation) {
    const on = endorseState(item);
    endorse.setAttribute('aria-pressed', String(on));
    setText(endorse, t(on ? 'withdraw_endorsement' : 'endorse_as', { organisation }));
  }
  const merged = li.querySelector('.merged');
  const others = wordingsOf(item).filter((w) => w.id !== shown.id);
  merged.replaceChildren(...others.map((w) => h('li', { dir: 'auto', lang: w.language }, w.text)));
  merged.hidden = !others.length;
  if (others.length) merged.setAttribute('aria-label', t('also_asked_as'));
  const btn = li.querySelector('.vote');
  if (btn) {
    btn.setAttribute('aria-pressed', String(state.on));
    // The name holds the visible count too (WCAG 2.5.3, label in name).
    const votes = t('votes', { n: state.votes });
    btn.setAttribute('aria-label', t(state.on ? 'remove_upvote' : 'upvote', { text: shown.text, votes }));
    setText(btn.querySelector('.n'), num(state.votes));
  }
}

function renderHeader() {
  if (!event) return;
  userText($('#title'), event.title);
  document.title = `${event.title} — ${t('app_name')}`;
  const badge = $('#status');
  setText(badge, t(`status_${event.status}`));
  badge.dataset.status = event.status;
  setText($('#code'), event.code ? t('join_code', { code: event.code }) : '');
  setText($('#online'), body ? t('online_count', { n: body.totals.online }) : '');
  let closed = null;
  const phase = windowPhase(event);
  if (event.status === 'ended' || event.status === 'cancelled') closed = t(`refused_event_closed_${event.status}`);
  else if (phase === 'before') closed = explain({ code: 'questions_not_open_yet', opens_at: event.questions_from });
  else if (phase === 'after' || !event.questions_open) closed = t('refused_questions_closed');
  if (!closed && !mayTakePart()) closed = t('gate_needed');
  $('#ask-fields').disabled = !!closed;
  const organisation = delegateOf();
  $('#ask-as').hidden = !organisation;
  setText($('#ask-as-org'), organisation ? t('ask_as_organisation', { organisation }) : '');
  $('#closed').hidden = !closed;
  setText($('#closed'), closed || '');
  renderAdvance(phase);
  renderGate();
}

// Before the event goes live: when questions are taken, when it starts, and "add to calendar".
let details = null; // GET /api/events/{slug}: the calendar links
function renderAdvance(phase) {
  const before = !['ended', 'cancelled'].includes(event.status) && Date.now() < Date.parse(event.starts_at);
  $('#advance').hidden = !before;
  if (!before) return;
  if (!details) loadDetails();
  const questions = windowText(event);
  setText($('#advance-h'), t(questions ? 'adv_heading' : 'adv_before_heading'));
  setText($('#advance-window'), questions || '');
  $('#advance-window').hidden = !questions;
  $('#advance-open').hidden = !(phase === 'inside' && event.questions_open);
  setText($('#advance-starts'), t('adv_starts', { start: moment(event.starts_at) }));
  // Rebuilt only when something in it changes, so a focused link keeps its focus.
  const links = { ...event, ics_url: `/events/${encodeURIComponent(slug)}/invite.ics`, ...(details || {}) };
  const key = `${lang()}|${links.title}|${links.google_url}`;
  if (key !== calendarShown) {
    calendarShown = key;
    $('#advance-cal').replaceChildren(calendarLinks(links));
  }
}
let calendarShown = '';

let detailsAsked = false;
async function loadDetails() {
  if (detailsAsked) return;
  detailsAsked = true;
  try {
    const r = await fetch(`/api/events/${encodeURIComponent(slug)}`, { headers: { Accept: 'application/json' } });
    if (r.ok) { details = await r.json(); render(); }
  } catch { /* offline: the .ics link alone */ }
}

// --- participation modes: who may ask and vote (docs/protocol.md, "Participation modes") ----
let access = null; // {mode, allowed, granted, organisation} for this identity
let gateMsg = null; // [key, vars]
const mayTakePart = () => !access || access.allowed || (event && event.access_mode === 'open');

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
  access = found;
  endorsed = new Set((found && found.endorsed) || []);
}

async function loadAccess() {
  try { setAccess(await accessCall('')); } catch { /* offline: keep what we knew */ }
  render();
}

function sayGate(key, vars) {
  gateMsg = key ? [key, vars] : null;
  setText($('#gate-msg'), key ? t(key, vars) : '');
}

function gateError(error) {
  sayGate(null);
  setText($('#gate-msg'), explain(error));
}

function renderGate() {
  const mode = (access && access.mode) || (event && event.access_mode) || 'open';
  const blocked = !mayTakePart() && mode !== 'open';
  $('#gate').hidden = !blocked;
  setText($('#gate-why'), blocked ? t(`gate_why_${mode}`) : '');
  $('#gate-code').hidden = mode !== 'code';
  $('#gate-email').hidden = mode !== 'email';
  if (gateMsg) setText($('#gate-msg'), t(...gateMsg));
  const ok = access && access.allowed && access.granted;
  $('#gate-ok').hidden = !ok;
  setText($('#gate-ok'), !ok ? '' : access.granted === 'invited'
    ? t('gate_delegate', { organisation: access.organisation || '' })
    : t(`gate_granted_${access.granted}`));
}

function showGate() {
  renderGate();
  sayGate('gate_needed');
  $('#gate').focus();
}

$('#gate-code').addEventListener('submit', async (e) => {
  e.preventDefault();
  const code = $('#gate-code-input').value.trim();
  if (!code) { $('#gate-code-input').focus(); return; }
  try { setAccess(await accessCall('/code', { code })); sayGate(null); } catch (error) { gateError(error); }
  render();
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
async function followLink() {
  const params = new URLSearchParams(location.hash.slice(1));
  const [path, token] = params.get('verify') ? ['/verify', params.get('verify')] : ['/invitation', params.get('invite')];
  if (!token) return;
  history.replaceState(null, '', location.pathname + location.search); // one use: do not keep it
  try { setAccess(await accessCall(path, { token })); sayGate(null); } catch (error) { gateError(error); $('#gate').hidden = false; }
}

function renderNow() {
  const now = body && body.now_answering;
  const shown = now && wordingFor(now);
  const key = `${now ? `${now.id}:${shown.id}:${shown.text}:${shown.language}` : body ? '-' : ''}|${lang()}`;
  if (key !== nowShown) {
    nowShown = key;
    $('#now').replaceChildren(...(now
      ? [h('span', { class: 'sr' }, `${t('now_answering')}: `), h('p', { class: 'now-text', dir: 'auto', lang: shown.language }, shown.text)]
      : [h('p', { class: 'now-text muted' }, t(body ? 'nothing_answering' : 'connecting'))]));
  }
  const parts = now ? [t('votes', { n: now.votes })] : [];
  if (now && now.asked_by > 1) parts.push(t('asked_by', { n: now.asked_by }));
  if (now && languageCount(now) > 1) parts.push(t('asked_in_languages', { n: languageCount(now) }));
  for (const name of (now && now.organisations) || []) parts.push(t('asked_by_organisation', { organisation: name }));
  if (now && endorsementText(now)) parts.push(endorsementText(now));
  if (now && inGroup(mine, now)) parts.unshift(t('yours'));
  setText($('#now-meta'), parts.join(' · '));
}
const lang = () => document.documentElement.lang;

function renderQueue() {
  const want = pendingVotes();
  const open = body ? [...body.open] : [];
  if (sort === 'new') open.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id - a.id));
  syncList($('#queue'), open, (i) => i.id, createItem(true), (li, i) => updateItem(li, i, want));
  $('#empty').hidden = !body || open.length > 0;
  for (const [id, s] of [['#sort-top', 'top'], ['#sort-new', 'new']]) $(id).setAttribute('aria-pressed', String(sort === s));
  const answered = body ? body.answered : [];
  syncList($('#answered'), answered, (i) => i.id, createItem(false), (li, i) => updateItem(li, i, null));
  $('#answered-box').hidden = !answered.length;
  // The schedule's "question record" link lands here: show the answered questions open.
  if (location.hash === '#answered' && answered.length && !openedRecord) {
    openedRecord = true;
    $('#answered-box').open = true;
    $('#answered-box').scrollIntoView();
  }
  setText($('#answered-h'), t('answered_heading', { n: answered.length }));
}

function renderUnsent() {
  const unsent = live ? live.pending().filter((a) => a.type === 'submit_question') : [];
  $('#unsent-box').hidden = !unsent.length;
  $('#unsent').replaceChildren(...unsent.map((a) => h('li', { class: 'q unsent' }, h('p', { class: 'q-text', dir: 'auto' }, a.text))));
}

function renderCount() {
  const n = charCount(text.value);
  const c = $('#count');
  setText(c, t('chars', { count: num(n), max: num(MAX) }));
  c.classList.toggle('over', n > MAX);
}

function render() {
  renderHeader();
  renderNow();
  renderQueue();
  renderUnsent();
  renderCount();
  $('#offline').hidden = connection !== 'offline';
}

function retranslate() {
  translatePage();
  retranslateProfile();
  nowShown = '';
  if (statusMsg) say(...statusMsg);
  render();
}

// --- asking ---------------------------------------------------------------------------------
function clearDraft() {
  text.value = '';
  session.set(draftKey, null);
  hideSimilar();
  renderCount();
}

$('#ask').addEventListener('submit', (e) => {
  e.preventDefault();
  const n = charCount(text.value);
  if (n < MIN) { say('too_short'); text.focus(); return; }
  if (n > MAX) { say('too_long', { max: num(MAX) }); text.focus(); return; }
  const onBehalf = !!delegateOf() && $('#ask-as-organisation').checked;
  live.send('submit_question', onBehalf ? { text: cleanText(text.value), as_organisation: true } : { text: cleanText(text.value) });
  clearDraft();
  say(live.online ? 'sending_question' : 'queued_question');
  render();
});

text.addEventListener('input', () => {
  session.set(draftKey, text.value || null);
  renderCount();
  findSimilar();
});

let similarAbort = null;
const findSimilar = debounce(async () => {
  const q = cleanText(text.value);
  if (similarAbort) similarAbort.abort();
  if ([...q].length < 8 || !navigator.onLine) { hideSimilar(); return; }
  similarAbort = new AbortController();
  try {
    const r = await fetch(`/api/events/${encodeURIComponent(slug)}/similar?text=${encodeURIComponent(q.slice(0, 500))}`, { signal: similarAbort.signal });
    if (!r.ok) { hideSimilar(); return; }
    showSimilar(((await r.json()).similar || []).slice(0, 4));
  } catch { /* aborted or offline: keep what is shown */ }
}, 300);

function hideSimilar() {
  if (similarAbort) similarAbort.abort();
  $('#similar').hidden = true;
  $('#similar-list').replaceChildren();
}

function showSimilar(list) {
  const want = pendingVotes();
  $('#similar').hidden = !list.length;
  $('#similar-list').replaceChildren(...list.map((s, i) => {
    const id = `sim-${i}`;
    if (s.answered_in) {
      // Answered in an earlier event of the series: a link to the answer, nothing to upvote.
      return h('li', { class: 'sim answered' },
        h('p', { id, class: 'q-text', dir: 'auto' }, s.text),
        h('p', { class: 'meta' }, answeredInLink(s.answered_in)));
    }
    const item = (body && [...body.open, body.now_answering].find((x) => x && x.id === s.id)) || { ...s, merged: [] };
    const already = voteState(item, want).on;
    const shown = wordingFor(item);
    return h('li', { class: 'sim' },
      h('p', { id, class: 'q-text', dir: 'auto', lang: shown.language }, shown.text),
      h('div', { class: 'row' },
        h('span', { class: 'meta' }, t('votes', { n: s.votes })),
        h('button', {
          type: 'button', class: 'secondary', 'aria-describedby': id,
          onclick: () => {
            if (!voteState(item, pendingVotes()).on) live.send('vote', { question_id: s.id });
            clearDraft();
            say('upvoted_instead');
            render();
          },
        }, t(already ? 'already_upvoted' : 'upvote_instead'))));
  }));
}

// --- sorting --------------------------------------------------------------------------------
for (const [id, s] of [['#sort-top', 'top'], ['#sort-new', 'new']]) {
  $(id).addEventListener('click', () => { sort = s; session.set(sortKey, s); renderQueue(); });
}

// --- live -----------------------------------------------------------------------------------
function onQueue(m) {
  const modeChanged = event && m.event && event.access_mode !== m.event.access_mode;
  body = m;
  event = m.event;
  if (modeChanged) loadAccess();
  render();
}

async function main() {
  await startI18n(retranslate);
  text.value = session.get(draftKey) || '';
  render();
  setupProfile({ send: (type, fields) => live.send(type, fields) });
  await followLink();
  if (!access) await loadAccess();
  window.addEventListener('hashchange', async () => { await followLink(); render(); });
  live = connectLive({
    slug,
    venue: venueToken(),
    on: {
      welcome: (m) => { event = m.event; renderHeader(); },
      snapshot: (m) => {
        voted = new Set(m.you.voted);
        mine = new Set(m.you.mine);
        onQueue(m);
      },
      queue: onQueue,
      outbox: () => { renderQueue(); renderUnsent(); },
      status: (s, info) => {
        connection = s;
        $('#offline').hidden = s !== 'offline';
        if (s === 'failed') say(info && info.code === 4404 ? 'unknown_event' : 'refused_internal');
      },
      busy: (on) => { $('#busy').hidden = !on; },
      error: (m) => say(null, null, m),
      ack: (m) => {
        const r = m.result || {};
        if (m.action === 'submit_question') {
          mine.add(r.question_id);
          voted.add(r.question_id);
          say(r.status === 'pending' ? 'sent_pending' : 'sent_question');
        } else if (m.action === 'set_profile') {
          profileSaved(r);
        } else if (m.action === 'endorse' || m.action === 'withdraw_endorsement') {
          if (r.endorsed) endorsed.add(r.question_id);
          else endorsed.delete(r.question_id);
        } else if (m.action === 'vote' || m.action === 'unvote') {
          if (r.voted) voted.add(r.question_id);
          else {
            voted.delete(r.question_id);
            const item = body && body.open.find((x) => x.id === r.question_id);
            if (item) for (const w of item.merged) voted.delete(w.id);
          }
          const item = body && [...body.open, body.now_answering].find((x) => x && x.id === r.question_id);
          if (item && typeof r.votes === 'number') item.votes = r.votes;
        }
        render();
      },
      refused: (m, action) => {
        if (action && action.type === 'submit_question' && !text.value.trim()) {
          text.value = action.text; // never lose a question
          session.set(draftKey, action.text);
        }
        if (action && action.type === 'set_profile') { profileRefused(m); return; }
        say(null, null, m);
        if (m.code === 'verification_required') { loadAccess(); showGate(); }
        if (m.code === 'not_a_delegate') loadAccess(); // the link was revoked meanwhile
        render();
      },
    },
  });
  render();
}

let openedRecord = false;

main();
