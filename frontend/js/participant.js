// The participant page: /e/{slug}. The parts live in participant/*.js (votes and endorsements,
// the gate, one question, asking, the advance box); this file renders the page and wires it.
import { $, h, setText, userText, syncList, session } from './dom.js';
import { t, explain, startI18n, translatePage } from './i18n.js';
import { connectLive } from './live.js';
import { wordingFor, languageCount } from './wordings.js';
import { setupProfile, retranslateProfile, profileSaved, profileRefused } from './profile.js';
import { windowPhase } from './calendar.js';
import { endorsementText } from './organisations.js';
import { renderAdvance } from './participant/advance.js';
import { keepRefused, renderCount, restoreDraft } from './participant/asking.js';
import { followLink, loadAccess, mayTakePart, renderGate, showGate } from './participant/gate.js';
import { createItem, updateItem } from './participant/items.js';
import { delegateOf, inGroup, pendingVotes } from './participant/support.js';
import { lang, page, slug, state } from './participant/state.js';

const sortKey = 'townhall.sort';

let sort = session.get(sortKey) === 'new' ? 'new' : 'top';
let statusMsg = null; // [key, vars] or [null, text] so it can be re-translated
let connection = 'connecting';
let nowShown = '';
let openedRecord = false;

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

function renderHeader() {
  if (!state.event) return;
  userText($('#title'), state.event.title);
  document.title = `${state.event.title} — ${t('app_name')}`;
  const badge = $('#status');
  setText(badge, t(`status_${state.event.status}`));
  badge.dataset.status = state.event.status;
  setText($('#code'), state.event.code ? t('join_code', { code: state.event.code }) : '');
  setText($('#online'), state.body ? t('online_count', { n: state.body.totals.online }) : '');
  let closed = null;
  const phase = windowPhase(state.event);
  if (state.event.status === 'ended' || state.event.status === 'cancelled') closed = t(`refused_event_closed_${state.event.status}`);
  else if (phase === 'before') closed = explain({ code: 'questions_not_open_yet', opens_at: state.event.questions_from });
  else if (phase === 'after' || !state.event.questions_open) closed = t('refused_questions_closed');
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

function renderNow() {
  const now = state.body && state.body.now_answering;
  const shown = now && wordingFor(now);
  const key = `${now ? `${now.id}:${shown.id}:${shown.text}:${shown.language}` : state.body ? '-' : ''}|${lang()}`;
  if (key !== nowShown) {
    nowShown = key;
    $('#now').replaceChildren(...(now
      ? [h('span', { class: 'sr' }, `${t('now_answering')}: `), h('p', { class: 'now-text', dir: 'auto', lang: shown.language }, shown.text)]
      : [h('p', { class: 'now-text muted' }, t(state.body ? 'nothing_answering' : 'connecting'))]));
  }
  const parts = now ? [t('votes', { n: now.votes })] : [];
  if (now && now.asked_by > 1) parts.push(t('asked_by', { n: now.asked_by }));
  if (now && languageCount(now) > 1) parts.push(t('asked_in_languages', { n: languageCount(now) }));
  for (const name of (now && now.organisations) || []) parts.push(t('asked_by_organisation', { organisation: name }));
  if (now && endorsementText(now)) parts.push(endorsementText(now));
  if (now && inGroup(state.mine, now)) parts.unshift(t('yours'));
  setText($('#now-meta'), parts.join(' · '));
}

function renderQueue() {
  const want = pendingVotes();
  const open = state.body ? [...state.body.open] : [];
  if (sort === 'new') open.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id - a.id));
  syncList($('#queue'), open, (i) => i.id, createItem(true), (li, i) => updateItem(li, i, want));
  $('#empty').hidden = !state.body || open.length > 0;
  for (const [id, s] of [['#sort-top', 'top'], ['#sort-new', 'new']]) $(id).setAttribute('aria-pressed', String(sort === s));
  const answered = state.body ? state.body.answered : [];
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
  const unsent = state.live ? state.live.pending().filter((a) => a.type === 'submit_question') : [];
  $('#unsent-box').hidden = !unsent.length;
  $('#unsent').replaceChildren(...unsent.map((a) => h('li', { class: 'q unsent' }, h('p', { class: 'q-text', dir: 'auto' }, a.text))));
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

// --- sorting --------------------------------------------------------------------------------
for (const [id, s] of [['#sort-top', 'top'], ['#sort-new', 'new']]) {
  $(id).addEventListener('click', () => { sort = s; session.set(sortKey, s); renderQueue(); });
}

// --- live -----------------------------------------------------------------------------------
function onQueue(m) {
  const modeChanged = state.event && m.event && state.event.access_mode !== m.event.access_mode;
  state.body = m;
  state.event = m.event;
  if (modeChanged) loadAccess();
  render();
}

async function main() {
  Object.assign(page, { render, say });
  await startI18n(retranslate);
  restoreDraft();
  render();
  setupProfile({ send: (type, fields) => state.live.send(type, fields) });
  await followLink();
  if (!state.access) await loadAccess();
  window.addEventListener('hashchange', async () => { await followLink(); render(); });
  state.live = connectLive({
    slug,
    venue: venueToken(),
    on: {
      welcome: (m) => { state.event = m.event; renderHeader(); },
      snapshot: (m) => {
        state.voted = new Set(m.you.voted);
        state.mine = new Set(m.you.mine);
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
          state.mine.add(r.question_id);
          state.voted.add(r.question_id);
          say(r.status === 'pending' ? 'sent_pending' : 'sent_question');
        } else if (m.action === 'set_profile') {
          profileSaved(r);
        } else if (m.action === 'endorse' || m.action === 'withdraw_endorsement') {
          if (r.endorsed) state.endorsed.add(r.question_id);
          else state.endorsed.delete(r.question_id);
        } else if (m.action === 'vote' || m.action === 'unvote') {
          if (r.voted) state.voted.add(r.question_id);
          else {
            state.voted.delete(r.question_id);
            const item = state.body && state.body.open.find((x) => x.id === r.question_id);
            if (item) for (const w of item.merged) state.voted.delete(w.id);
          }
          const item = state.body && [...state.body.open, state.body.now_answering].find((x) => x && x.id === r.question_id);
          if (item && typeof r.votes === 'number') item.votes = r.votes;
        }
        render();
      },
      refused: (m, action) => {
        keepRefused(action);
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

main();
