// The stage screen: the question being answered in large type, the next few, and how to join.
import { $, h, setText, slugFromPath } from './dom.js';
import { startI18n, t } from './i18n.js';
import { connectLive } from './live.js';

const NEXT = 5;
const slug = slugFromPath();
let last = null;
let roomCode = null; // a join-code event's code, read with the moderator key (#key=…)

async function readRoomCode() {
  const key = new URLSearchParams(location.hash.slice(1)).get('key');
  if (!key) return;
  history.replaceState(null, '', location.pathname); // the key does not stay on screen
  try {
    const r = await fetch(`/api/events/${encodeURIComponent(slug)}/queue`, { headers: { Authorization: `Bearer ${key}` } });
    if (r.ok) roomCode = (await r.json()).event.code;
  } catch { /* offline: the code appears once the page is reloaded */ }
  if (last) render(last);
}

function render(state) {
  last = state;
  setText($('#stage-event'), state.event.title);
  const code = state.event.code || roomCode;
  setText($('#stage-code'), code || '');
  const now = state.now_answering;
  $('#stage-now').replaceChildren(
    now
      ? h('p', { class: 'stage-question' }, now.text)
      : h('p', { class: 'stage-question muted' }, t('nothing_answering')),
    ...(now ? [h('p', { class: 'stage-votes' }, t('votes', { n: now.votes }))] : []),
  );
  $('#stage-queue').replaceChildren(
    ...state.open.slice(0, NEXT).map((item) =>
      h('li', {}, item.text, ' ', h('span', { class: 'count' }, `(${t('votes', { n: item.votes })})`)),
    ),
  );
}

async function main() {
  await startI18n(() => last && render(last));
  const link = `${location.origin}/e/${encodeURIComponent(slug)}`;
  const qr = $('#stage-qr');
  qr.src = `/e/${encodeURIComponent(slug)}/qr.svg`;
  qr.alt = t('stage_qr_alt', { link });
  setText($('#stage-link'), link);
  connectLive({ slug, on: { snapshot: render, queue: render } });
  readRoomCode();
}

main();
