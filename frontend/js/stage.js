// The stage screen: the question being answered in large type, the next few, and how to join.
import { $, h, session, setText, userText, slugFromPath } from './dom.js';
import { startI18n, t } from './i18n.js';
import { connectLive } from './live.js';
import { languageTag } from './wordings.js';
import { commonTag } from './series.js';
import { askedBy, endorsementBadge } from './organisations.js';

const NEXT = 5;
const slug = slugFromPath();
let last = null;
let roomCode = null; // a join-code event's code, given with the venue token to a keyed screen

function render(state) {
  last = state;
  userText($('#stage-event'), state.event.title);
  const code = state.event.code || roomCode;
  setText($('#stage-code'), code || '');
  const now = state.now_answering;
  $('#stage-now').replaceChildren(
    now
      ? h('p', { class: 'stage-question', dir: 'auto', lang: now.language }, now.text, now.merged.length ? [' ', languageTag(now.language)] : null)
      : h('p', { class: 'stage-question muted' }, t('nothing_answering')),
    ...(now ? [now.common ? h('p', {}, commonTag()) : null, otherWordings(now, 'stage-wordings'), h('p', { class: 'stage-votes' }, t('votes', { n: now.votes })), organisations(now, 'stage-orgs')].filter(Boolean) : []),
  );
  $('#stage-queue').replaceChildren(
    ...state.open.slice(0, NEXT).map((item) =>
      h('li', {},
        h('bdi', { lang: item.language }, item.text), item.merged.length && item.language ? [' ', languageTag(item.language)] : null,
        ' ', h('span', { class: 'count' }, `(${t('votes', { n: item.votes })})`),
        item.common ? [' ', commonTag()] : null,
        organisations(item, 'orgs'),
        otherWordings(item, 'merged')),
    ),
  );
}

// Who asked on an organisation's behalf and how many organisations endorse (never votes).
function organisations(item, cls) {
  const line = [...askedBy(item), endorsementBadge(item)].filter(Boolean);
  return line.length ? h('p', { class: cls }, ...line.flatMap((el, i) => (i ? [' · ', el] : [el]))) : null;
}

// The room sees every wording of a group, each in its own language and direction.
function otherWordings(item, cls) {
  if (!item.merged.length) return null;
  return h('ul', { class: cls, 'aria-label': t('also_asked_as') },
    ...item.merged.map((w) => h('li', {}, h('span', { dir: 'auto', lang: w.language }, w.text), w.language ? ' ' : null, languageTag(w.language))));
}

// /e/{slug}/stage#stage=KEY (the link in the moderator console): the QR code carries a venue
// token, fetched again before it expires, so the hall's network gets its own allowance
// (docs/integrity.md). Without a key the QR code gives the plain link.
function readStageKey() {
  const store = `townhall.stagekey.${slug}`;
  const params = new URLSearchParams(location.hash.slice(1));
  const fromHash = params.get('stage') || params.get('key');
  if (fromHash) {
    session.set(store, { header: params.get('stage') ? 'X-Stage-Key' : 'Authorization', value: fromHash });
    history.replaceState(null, '', location.pathname + location.search);
  }
  return session.get(store);
}

function plainQr() {
  $('#stage-qr').src = `/e/${encodeURIComponent(slug)}/qr.svg`;
}

async function refreshVenue(stageKey) {
  let wait = 60;
  try {
    const value = stageKey.header === 'Authorization' ? `Bearer ${stageKey.value}` : stageKey.value;
    const r = await fetch(`/api/events/${encodeURIComponent(slug)}/venue`, { headers: { [stageKey.header]: value }, cache: 'no-store' });
    if (r.status === 403) {
      session.set(`townhall.stagekey.${slug}`, null);
      plainQr();
      setText($('#stage-note'), t('stage_bad_key'));
      return;
    }
    if (r.ok) {
      const venue = await r.json();
      $('#stage-qr').src = venue.qr_url;
      $('#stage-qr').dataset.venue = 'on';
      wait = venue.refresh_in;
      if (venue.join_code !== roomCode) { roomCode = venue.join_code; if (last) render(last); }
    }
  } catch { /* offline: keep the code shown, which stays valid a while */ }
  setTimeout(() => refreshVenue(stageKey), wait * 1000);
}

async function main() {
  const link = `${location.origin}/e/${encodeURIComponent(slug)}`;
  const qr = $('#stage-qr');
  await startI18n(() => { qr.alt = t('stage_qr_alt', { link }); if (last) render(last); });
  qr.alt = t('stage_qr_alt', { link });
  setText($('#stage-link'), link);
  const stageKey = readStageKey();
  if (stageKey) refreshVenue(stageKey);
  else plainQr();
  connectLive({ slug, on: { snapshot: render, queue: render } });
}

main();
