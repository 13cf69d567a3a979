// The public record of an ended event: /e/{slug}/record (JSON: /api/events/{slug}/record).
// Each question's row has the id `q-{root id}` so other pages can link to it.
import { $, h, setText, userText, slugFromPath } from './dom.js';
import { t, startI18n, currentLang } from './i18n.js';
import { languageTag } from './wordings.js';
import { regionLine } from './spread.js';
import { askedBy, endorsementBadge } from './organisations.js';

const slug = slugFromPath();
let record = null;
let problem = null; // 'missing' | 'not_yet' | 'failed'
let scrolled = false;

const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const locale = () => (navigator.languages || []).find((l) => l.toLowerCase().split('-')[0] === currentLang()) || currentLang();
const clock = (iso) => new Intl.DateTimeFormat(locale(), { hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
const day = (ev) => {
  const f = new Intl.DateTimeFormat(locale(), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
  return f.formatRange ? f.formatRange(new Date(ev.starts_at), new Date(ev.ends_at)) : f.format(new Date(ev.starts_at));
};
const list = (names) => new Intl.ListFormat(currentLang(), { type: 'conjunction' }).format(names);

// The wording a reader sees: the first in their language, else the root's (as wordings.js).
const wordingFor = (q) => q.wordings.find((w) => w.language === currentLang()) || q.wordings[0];

function questionRow(q, answered) {
  const shown = wordingFor(q);
  const textId = `${q.anchor}-text`;
  const others = q.wordings.filter((w) => w !== shown);
  const watch = (take) => (take.recording_link
    ? h('a', { href: take.recording_link, rel: 'noopener', 'aria-describedby': textId }, t('rec_watch'))
    : null);
  return h('li', { id: q.anchor, tabindex: '-1' },
    h('p', { class: 'text' },
      h('span', { class: 'pos' }, `${q.position}.`),
      userText(h('span', { id: textId }), shown.text, shown.language)),
    others.length
      ? h('div', {},
        h('p', { class: 'hint' }, t('also_asked_as')),
        h('ul', { class: 'merged' }, others.map((w) => h('li', {}, userText(h('span', {}), w.text, w.language), ' ', languageTag(w.language)))))
      : null,
    h('p', { class: 'meta' },
      answered ? h('span', {}, h('time', { datetime: q.taken_at }, t('rec_taken_at', { time: clock(q.taken_at) }))) : null,
      answered ? watch(q) : null,
      ...(answered ? q.taken_again.flatMap((again) => [
        h('span', {}, h('time', { datetime: again.taken_at }, t('rec_taken_again', { time: clock(again.taken_at) }))),
        watch(again)]) : []),
      h('span', {}, t('votes', { n: q.supporters }))),
    organisationsLine(q),
    answered ? null : h('p', { class: 'meta spread-line' }, regionLine(q.spread, record.privacy_threshold, 'rec_spread_none')));
}

// Who asked on an organisation's behalf, and how many organisations endorsed (apart from votes).
function organisationsLine(q) {
  const item = {
    organisations: [...new Set(q.wordings.map((w) => w.organisation).filter(Boolean))],
    endorsements: q.endorsements && { organisations: q.endorsements.organisations, regions: q.endorsements.regions.length },
  };
  const line = [...askedBy(item), endorsementBadge(item)].filter(Boolean);
  return line.length ? h('p', { class: 'meta' }, ...line.flatMap((el, i) => (i ? [' · ', el] : [el]))) : null;
}

function render() {
  const msg = $('#msg');
  msg.hidden = !!record && !problem;
  if (problem) setText(msg, t({ missing: 'rec_missing', not_yet: 'rec_not_yet' }[problem] || 'rec_failed'));
  else if (!record) setText(msg, t('rec_loading'));
  if (!record) return;

  const ev = record.event;
  document.title = `${ev.title} · ${t('rec_title')}`;
  userText($('#title'), ev.title);
  setText($('#when'), day(ev));
  setText($('#candidates'), ev.candidates.length ? t('with_candidates', { names: list(ev.candidates) }) : '');
  $('#links').replaceChildren(
    h('a', { href: ev.url }, t('rec_event_page')),
    record.recording ? h('a', { href: record.recording.url, rel: 'noopener' }, t('rec_recording')) : '');
  setText($('#zone'), t('rec_times_zone', { zone: viewerZone().replace(/_/g, ' ') }));

  for (const [box, none, listEl, rows, answered] of [
    ['#answered-box', '#answered-none', '#answered', record.answered, true],
    ['#waiting-box', '#waiting-none', '#waiting', record.not_reached, false]]) {
    $(box).hidden = false;
    $(none).hidden = rows.length > 0;
    $(listEl).replaceChildren(...rows.map((q) => questionRow(q, answered)));
  }
  $('#data-box').hidden = false;
  $('#json').href = record.json_url;
  $('#csv').href = record.csv_url;
  const licence = record.licence;
  // The notice inside its translated sentence, as a link to the licence's text when given.
  const [before, after = ''] = t('rec_licence', { licence: '\u0000' }).split('\u0000');
  const name = licence && (licence.url ? h('a', { href: licence.url, rel: 'license', dir: 'auto' }, licence.name) : h('span', { dir: 'auto' }, licence.name));
  $('#licence').replaceChildren(...(licence ? [before, name, after] : []));

  // The rows arrive after the page: go to the one the address names (#q-12) once.
  if (!scrolled && location.hash.startsWith('#q-')) {
    const row = document.getElementById(location.hash.slice(1));
    if (row) { row.scrollIntoView(); row.focus({ preventScroll: true }); }
    scrolled = true;
  }
}

async function load() {
  try {
    const r = await fetch(`/api/events/${encodeURIComponent(slug)}/record`, { headers: { Accept: 'application/json' } });
    if (r.status === 404) {
      const body = await r.json().catch(() => ({}));
      problem = body.error && body.error.code === 'no_record_yet' ? 'not_yet' : 'missing';
      return;
    }
    if (!r.ok) throw new Error(String(r.status));
    record = await r.json();
    problem = null;
  } catch {
    problem = 'failed';
  }
}

async function main() {
  await startI18n(render);
  await load();
  render();
}

main();
