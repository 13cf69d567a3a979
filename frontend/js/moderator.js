// The moderator page: /e/{slug}/moderate#key=...
import { $, h, setText, userText, textDirection, syncList, session, slugFromPath } from './dom.js';
import { t, num, percent, explain, startI18n, translatePage, currentLang } from './i18n.js';
import { connectLive } from './live.js';
import { languageTag } from './wordings.js';
import { askedBy, endorsementBadge, endorsersList } from './organisations.js';
import { setupSupport, renderSupport, refreshSupport } from './support.js';
import { setupSpread, loadSpread, orderedOpen, renderOrderSwitch, renderSpread } from './spread.js';
import { answeredInLink, commonTag } from './series.js';
import { stageAndExports } from './moderator/exports.js';
import { moderationLog } from './moderator/log.js';

const slug = slugFromPath();
const keyStore = `townhall.modkey.${slug}`;

let body = null;
let event = null;
let live = null;
let key = null;
let selected = null; // id of the selected queue item
let selIndex = 0;
let mergeOpen = null; // id whose "Merge into…" form is open
let statusMsg = null;

const byId = () => {
  const all = new Map();
  if (!body) return all;
  for (const list of [body.open, body.pending || [], body.hidden || [], body.answered, body.now_answering ? [body.now_answering] : []]) {
    for (const item of list) all.set(item.id, item);
  }
  return all;
};

let sayTimer = 0;
// A refusal is kept as the server sent it, so a language switch translates it again.
function say(k, vars, refusal) {
  statusMsg = [k, vars, refusal];
  setText($('#msg'), k ? t(k, vars) : refusal ? explain(refusal) : '');
  clearTimeout(sayTimer);
  if (k === 'done') sayTimer = setTimeout(() => { statusMsg = null; setText($('#msg'), ''); }, 8000);
}

function act(type, fields) {
  live.send(type, fields);
  if (!live.online) say('queued_action');
}

const short = (s, n = 70) => ([...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s);

// --- items ----------------------------------------------------------------------------------
// buttons: [labelKey, (item) => void]
function makeItem(buttons, { merge = false, select = false } = {}) {
  return (item) => {
    const li = h('li', { class: 'q', tabindex: select ? '-1' : null },
      h('div', { class: 'q-body' },
        h('p', { class: 'q-text' }, h('span', { class: 'qid' }), h('span', { class: 'tx' }), h('span', { class: 'tag' })),
        h('p', { class: 'meta' }),
        h('p', { class: 'series-note', hidden: true }),
        h('div', { class: 'orgs' }),
        h('ul', { class: 'merged' })),
      h('div', { class: 'actions' },
        ...buttons.map(([k, fn]) => h('button', { type: 'button', 'data-k': k, onclick: () => fn(li._item) }, t(k))),
        merge ? h('button', { type: 'button', 'data-k': 'merge_into', 'aria-expanded': 'false', onclick: () => toggleMerge(li._item.id) }, t('merge_into')) : null));
    if (select) li.addEventListener('click', (e) => { if (!e.target.closest('button,select,input')) selectItem(li._item.id); });
    return li;
  };
}

function updateItem(li, item, { selectable = false, support = false } = {}) {
  li._item = item;
  setText(li.querySelector('.qid'), `#${item.id} `);
  setText(li.querySelector('.tx'), item.text);
  textDirection(li.querySelector('.q-text'), item.language);
  const tag = li.querySelector('.q-text > .tag');
  const tagSig = `${item.language || ''}|${currentLang()}`;
  if (tag.dataset.sig !== tagSig) {
    tag.dataset.sig = tagSig;
    tag.replaceChildren(...(item.language ? [' ', languageTag(item.language)] : []));
  }
  const when = new Intl.DateTimeFormat(currentLang(), { hour: 'numeric', minute: '2-digit' }).format(new Date(item.created_at));
  const bits = [t('votes', { n: item.votes }), when];
  if (item.asked_by > 1) bits.splice(1, 0, t('asked_by', { n: item.asked_by }));
  setText(li.querySelector('.meta'), bits.join(' · '));
  seriesNote(li.querySelector('.series-note'), item);
  // Organisations: who asked on whose behalf, and who endorses (apart from the votes above).
  const orgs = li.querySelector('.orgs');
  const orgSig = JSON.stringify([item.organisations, item.endorsements, currentLang()]);
  if (orgs.dataset.sig !== orgSig) {
    orgs.dataset.sig = orgSig;
    const line = [...askedBy(item), endorsementBadge(item)].filter(Boolean);
    orgs.replaceChildren(...(line.length ? [h('p', { class: 'meta' }, ...line)] : []), endorsersList(item) || '');
    orgs.hidden = !line.length;
  }
  const merged = li.querySelector('.merged');
  const sig = item.merged.map((w) => `${w.id}:${w.language}:${w.text}:${w.organisation}`).join('|') + currentLang();
  if (merged.dataset.sig !== sig) {
    merged.dataset.sig = sig;
    merged.replaceChildren(...item.merged.map((w) => h('li', {},
      h('span', { dir: 'auto', lang: w.language }, `#${w.id} ${w.text}`),
      w.language ? ' ' : null, languageTag(w.language),
      w.similarity != null ? h('span', { class: 'muted' }, ` (${percent(w.similarity)})`) : null,
      w.organisation ? [' ', ...askedBy({ organisations: [w.organisation] })] : null,
      h('button', { type: 'button', class: 'small', 'aria-label': t('unmerge_label', { text: w.text }), onclick: () => act('unmerge_question', { question_id: w.id }) }, t('unmerge')))));
    merged.hidden = !item.merged.length;
  }
  for (const b of li.querySelectorAll('.actions > button[data-k]')) {
    setText(b, t(b.dataset.k));
    b.setAttribute('aria-label', `${t(b.dataset.k)}: #${item.id}`);
  }
  if (selectable) {
    const on = item.id === selected;
    li.classList.toggle('sel', on);
    if (on) li.setAttribute('aria-current', 'true');
    else li.removeAttribute('aria-current');
  }
  renderMergeForm(li, item);
  if (support) { renderSpread(li, item); renderSupport(li, item); }
}

// The series' common question, and a repeat of a question answered in an earlier event.
function seriesNote(note, item) {
  const found = item.answered_in;
  const sig = `${item.common ? 1 : 0}|${found ? `${found.url}|${found.at}|${found.title}` : ''}|${currentLang()}`;
  if (note.dataset.sig === sig) return;
  note.dataset.sig = sig;
  note.replaceChildren(...[item.common ? commonTag() : null, found ? answeredInLink(found) : null].filter(Boolean));
  note.hidden = !note.childNodes.length;
}

function toggleMerge(id) {
  mergeOpen = mergeOpen === id ? null : id;
  render();
  const sel = mergeOpen && document.querySelector(`[data-key="${mergeOpen}"] .mergeform select`);
  if (sel) sel.focus();
}

function renderMergeForm(li, item) {
  const btn = li.querySelector('[data-k="merge_into"]');
  if (!btn) return;
  const open = mergeOpen === item.id;
  btn.setAttribute('aria-expanded', String(open));
  let form = li.querySelector('.mergeform');
  if (!open) { if (form) form.remove(); return; }
  const targets = [...(body.now_answering ? [body.now_answering] : []), ...body.open].filter((x) => x.id !== item.id);
  const sig = targets.map((x) => `${x.id}:${x.text}`).join('|') + currentLang();
  if (form && form.dataset.sig === sig) return;
  const keep = form ? form.querySelector('select').value : '';
  if (form) form.remove();
  const selId = `merge-${item.id}`;
  form = h('form', { class: 'mergeform row' },
    h('label', { for: selId, class: 'sr' }, t('merge_target', { id: item.id })),
    h('select', { id: selId }, ...targets.map((x) => h('option', { value: x.id, dir: 'auto', lang: x.language }, `#${x.id} ${short(x.text)}`))),
    h('button', { type: 'submit', class: 'primary' }, t('merge')),
    h('button', { type: 'button', onclick: () => toggleMerge(item.id) }, t('cancel')));
  form.dataset.sig = sig;
  if (keep) form.querySelector('select').value = keep;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const into = Number(form.querySelector('select').value);
    if (!into) return;
    act('merge_questions', { question_id: item.id, into_id: into });
    mergeOpen = null;
    render();
  });
  li.querySelector('.q-body').append(form);
}

const qid = (item) => ({ question_id: item.id });
const queueItem = makeItem([
  ['now_answering', (i) => act('mark_answering', qid(i))],
  ['answered', (i) => act('mark_answered', qid(i))],
  ['hide', (i) => act('hide_question', qid(i))],
], { merge: true, select: true });
const nowItem = makeItem([
  ['answered', (i) => act('mark_answered', qid(i))],
  ['hide', (i) => act('hide_question', qid(i))],
]);
const pendingItem = makeItem([
  ['approve', (i) => act('approve_question', qid(i))],
  ['hide', (i) => act('hide_question', qid(i))],
], { merge: true });
const restoreItem = makeItem([['restore', (i) => act('restore_question', qid(i))]]);

function dupItem(item) {
  const li = h('li', { class: 'q dup' },
    h('div', { class: 'q-body' },
      h('p', { class: 'q-text a' }, h('span', { class: 'qid' }), h('span', { class: 'tx' })), h('p', { class: 'meta score' }),
      h('p', { class: 'q-text b' }, h('span', { class: 'qid' }), h('span', { class: 'tx' }))),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', 'data-k': 'merge', onclick: () => {
        const i = li._item;
        act('merge_questions', { question_id: i.id, into_id: i.possible_duplicate_of.id });
      } }, t('merge')),
      h('button', { type: 'button', 'data-k': 'keep_apart', onclick: () => act('keep_apart', qid(li._item)) }, t('keep_apart'))));
  return li;
}
function updateDup(li, item, all) {
  li._item = item;
  const target = all.get(item.possible_duplicate_of.id);
  setText(li.querySelector('.a .qid'), `#${item.id} `);
  setText(li.querySelector('.a .tx'), item.text);
  textDirection(li.querySelector('.a'), item.language);
  setText(li.querySelector('.score'), t('dup_score', { score: percent(item.possible_duplicate_of.score) }));
  setText(li.querySelector('.b .qid'), `#${item.possible_duplicate_of.id} `);
  setText(li.querySelector('.b .tx'), target ? target.text : '…');
  textDirection(li.querySelector('.b'), target && target.language);
  for (const b of li.querySelectorAll('button[data-k]')) setText(b, t(b.dataset.k));
}

// --- render ---------------------------------------------------------------------------------
function render() {
  if (!body) return;
  event = body.event;
  userText($('#title'), event.title);
  document.title = `${t('mod_title')}: ${event.title}`;
  const badge = $('#status');
  setText(badge, t(`status_${event.status}`));
  badge.dataset.status = event.status;
  setText($('#code'), t('join_code', { code: event.code }));
  setText($('#c-online'), num(body.totals.online));
  setText($('#c-questions'), num(body.totals.questions));
  setText($('#c-votes'), num(body.totals.votes));
  const toggle = $('#open-toggle');
  const waiting = live.pending().some((a) => a.type === 'set_questions_open');
  if (!waiting) toggle.checked = event.questions_open;

  const all = byId();
  syncList($('#now'), body.now_answering ? [body.now_answering] : [], (i) => i.id, nowItem, (li, i) => updateItem(li, i, { support: true }));
  if (!body.now_answering) $('#now').replaceChildren(h('li', { class: 'muted', 'data-key': '-' }, t('nothing_answering')));

  const pending = body.pending || [];
  $('#pending-box').hidden = !pending.length;
  setText($('#pending-h'), t('pending_heading', { n: pending.length }));
  syncList($('#pending'), pending, (i) => i.id, pendingItem, (li, i) => updateItem(li, i));

  const dups = [...body.open, ...pending].filter((i) => i.possible_duplicate_of);
  $('#dups-box').hidden = !dups.length;
  setText($('#dups-h'), t('dups_heading', { n: dups.length }));
  syncList($('#dups'), dups, (i) => i.id, dupItem, (li, i) => updateDup(li, i, all));

  const open = orderedOpen(body.open);
  renderOrderSwitch();
  if (selected != null && !open.some((i) => i.id === selected)) {
    selected = open.length ? open[Math.min(selIndex, open.length - 1)].id : null;
  }
  selIndex = Math.max(0, open.findIndex((i) => i.id === selected));
  setText($('#queue-h'), t('queue_heading', { n: open.length }));
  syncList($('#queue'), open, (i) => i.id, queueItem, (li, i) => updateItem(li, i, { selectable: true, support: true }));
  $('#empty').hidden = open.length > 0;

  const hidden = body.hidden || [];
  setText($('#hidden-h'), t('hidden_heading', { n: hidden.length }));
  syncList($('#hidden'), hidden, (i) => i.id, restoreItem, (li, i) => updateItem(li, i));
  setText($('#answered-h'), t('answered_heading', { n: body.answered.length }));
  syncList($('#answered'), body.answered, (i) => i.id, restoreItem, (li, i) => updateItem(li, i));
}

// --- selection and shortcuts ----------------------------------------------------------------
function selectItem(id, focus = false) {
  selected = id;
  render();
  const li = id != null && $(`#queue [data-key="${id}"]`);
  if (li && focus) { li.focus({ preventScroll: true }); li.scrollIntoView({ block: 'nearest' }); }
}

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || !body) return;
  if (e.target.closest('input, textarea, select, [contenteditable]')) return;
  const open = orderedOpen(body.open);
  const i = open.findIndex((x) => x.id === selected);
  const item = i >= 0 ? open[i] : null;
  switch (e.key) {
    case 'j': if (open.length) selectItem(open[Math.min(i + 1, open.length - 1)].id, true); break;
    case 'k': if (open.length) selectItem(open[Math.max(i - 1, 0)].id, true); break;
    case 'a': if (item) act('mark_answering', qid(item)); break;
    case 'd': { const target = item || body.now_answering; if (target) act('mark_answered', qid(target)); break; }
    case 'h': if (item) act('hide_question', qid(item)); break;
    case 'm': if (item) toggleMerge(item.id); break;
    case '?': $('#help').open = !$('#help').open; break;
    default: return;
  }
  e.preventDefault();
});

$('#open-toggle').addEventListener('change', (e) => act('set_questions_open', { open: e.target.checked }));

const loadLog = moderationLog(slug, () => key);
const loadStageLink = stageAndExports(slug, () => key, say);

// --- start ----------------------------------------------------------------------------------
function readKey() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('key');
  if (fromHash) {
    session.set(keyStore, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return session.get(keyStore);
}

function start() {
  setupSupport({ slug, key: () => key, act, rerender: render });
  setupSpread({ slug, key: () => key, rerender: render });
  loadStageLink();
  live = connectLive({
    slug,
    moderatorKey: key,
    on: {
      welcome: (m) => { event = m.event; },
      snapshot: (m) => { body = m; render(); loadLog(); loadSpread(); },
      queue: (m) => { body = m; render(); loadLog(); loadSpread(); },
      busy: (on) => { $('#busy').hidden = !on; },
      status: (s, info) => {
        $('#offline').hidden = s !== 'offline';
        if (s === 'failed') {
          if (info && info.code === 4403) {
            session.set(keyStore, null);
            say(info.error && info.error.code === 'key_rotated' ? 'key_rotated' : 'bad_key');
            $('#key-form').hidden = false;
          } else say(info && info.code === 4404 ? 'unknown_event' : 'refused_internal');
        }
      },
      ack: (m) => {
        say('done', { action: t(`act_${m.action}`) });
        loadLog();
        if (m.action === 'set_aside_support' || m.action === 'restore_support') refreshSupport();
      },
      refused: (m) => {
        say(null, null, m);
        render();
      },
    },
  });
}

async function main() {
  await startI18n(() => { translatePage(); if (statusMsg) say(...statusMsg); render(); loadLog(); });
  $('#help').open = matchMedia('(min-width: 60rem)').matches;
  $('#public-link').href = `/e/${encodeURIComponent(slug)}`;
  key = readKey();
  $('#key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('#key').value.trim();
    if (!v) return;
    key = v;
    session.set(keyStore, v);
    $('#key-form').hidden = true;
    say(null);
    start();
  });
  if (!key) { $('#key-form').hidden = false; say('need_key'); return; }
  start();
}

main();
