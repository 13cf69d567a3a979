// The public schedule of a series: /s/{slug}
import { $, h, setText, userText, slugFromPath } from './dom.js';
import { t, startI18n, currentLang } from './i18n.js';
import { calendarLinks, locale, windowText } from './calendar.js';

const slug = slugFromPath();
let series = null;
let problem = null; // 'missing' | 'failed'

const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const zoneLabel = (zone) => String(zone || '').replace(/_/g, ' ');

// "Tuesday 1 December 2026, 13:09–14:39 EST" in `timeZone` (the viewer's when undefined).
function when(ev, timeZone) {
  const opts = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };
  let f;
  try { f = new Intl.DateTimeFormat(locale(), { ...opts, timeZone }); } catch { f = new Intl.DateTimeFormat(locale(), opts); }
  const start = new Date(ev.starts_at);
  const end = new Date(ev.ends_at);
  return f.formatRange ? f.formatRange(start, end) : `${f.format(start)} – ${f.format(end)}`;
}

const list = (names) => new Intl.ListFormat(currentLang(), { type: 'conjunction' }).format(names);

function languages(tags) {
  let names;
  try { names = new Intl.DisplayNames([currentLang()], { type: 'language' }); } catch { names = null; }
  return list(tags.map((tag) => (names && names.of(tag)) || tag));
}

function eventItem(ev, past) {
  const cancelled = ev.status === 'cancelled';
  const titleId = `ev-${ev.slug}`;
  const open = !cancelled && !past;
  const questions = open ? windowText(ev) : null;
  return h('li', { class: `card event${cancelled ? ' cancelled' : ''}` },
    h('h3', { id: titleId }, h('span', { class: 'title', dir: 'auto' }, ev.title)),
    h('p', { class: 'meta' },
      h('span', { class: 'badge', 'data-status': ev.status }, t(`status_${ev.status}`)),
      ' ', h('span', {}, t(`sch_kind_${ev.kind}`))),
    ev.candidates.length ? h('p', {}, t('with_candidates', { names: list(ev.candidates) })) : null,
    ev.moderators.length ? h('p', { class: 'muted' }, t('sch_moderated_by', { names: list(ev.moderators) })) : null,
    h('p', {}, h('time', { datetime: ev.starts_at }, when(ev)), ' ',
      h('span', { class: 'muted' }, t('sch_your_zone', { zone: zoneLabel(viewerZone()) }))),
    h('p', { class: 'muted' }, t('time_there', { time: when(ev, ev.timezone) }), ' ',
      t('sch_zone', { zone: zoneLabel(ev.timezone) })),
    ev.venue ? h('p', {}, t('sch_venue', { venue: ev.venue })) : null,
    ev.languages && ev.languages.length ? h('p', { class: 'muted' }, t('sch_languages', { names: languages(ev.languages) })) : null,
    ev.description ? h('p', { class: 'desc' }, ev.description) : null,
    questions ? h('p', { class: 'window' }, questions) : null,
    h('p', { class: 'actions' },
      open ? h('a', { class: 'btn primary', href: ev.url, 'aria-describedby': titleId }, t('sch_join')) : null,
      !cancelled && ev.stream_url ? h('a', { class: 'btn', href: ev.stream_url, 'aria-describedby': titleId }, t(past ? 'sch_stream_past' : 'sch_stream')) : null,
      ev.status === 'ended' ? h('a', { class: 'btn', href: ev.record_url, 'aria-describedby': titleId }, t('sch_record')) : null),
    open ? calendarLinks(ev) : null);
}

function render() {
  const msg = $('#msg');
  msg.hidden = !!series && !problem;
  if (problem) setText(msg, t(problem === 'missing' ? 'sch_missing' : 'sch_failed'));
  else if (!series) setText(msg, t('sch_loading'));
  if (!series) return;

  document.title = `${series.title} · ${t('sch_title')}`;
  userText($('#title'), series.title);
  setText($('#description'), series.description || '');
  $('#subscribe').hidden = false;
  $('#webcal').href = series.webcal_url;
  $('#feed').value = series.feed_url;

  const now = Date.now();
  const events = series.events || [];
  const upcoming = events.filter((e) => Date.parse(e.ends_at) > now)
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  const past = events.filter((e) => Date.parse(e.ends_at) <= now)
    .sort((a, b) => Date.parse(b.starts_at) - Date.parse(a.starts_at));
  $('#up-box').hidden = false;
  $('#past-box').hidden = false;
  $('#up-none').hidden = upcoming.length > 0;
  $('#past-none').hidden = past.length > 0;
  $('#upcoming').replaceChildren(...upcoming.map((e) => eventItem(e, false)));
  $('#past').replaceChildren(...past.map((e) => eventItem(e, true)));
}

async function load() {
  try {
    const r = await fetch(`/api/series/${encodeURIComponent(slug)}`, { headers: { Accept: 'application/json' } });
    if (r.status === 404) { problem = 'missing'; series = null; return; }
    if (!r.ok) throw new Error(String(r.status));
    series = await r.json();
    problem = null;
  } catch {
    if (!series) problem = 'failed';
  }
}

async function copyFeed() {
  const input = $('#feed');
  let ok = false;
  try { await navigator.clipboard.writeText(input.value); ok = true; } catch {
    input.select();
    try { ok = document.execCommand('copy'); } catch { ok = false; }
  }
  setText($('#copied'), t(ok ? 'sch_copied' : 'sch_copy_failed'));
}

async function main() {
  await startI18n(render);
  $('#copy-feed').addEventListener('click', copyFeed);
  $('#feed').addEventListener('focus', (e) => e.target.select());
  await load();
  render();
  // Statuses change (scheduled -> live -> ended): refresh while the page is open.
  setInterval(async () => {
    if (document.hidden || problem === 'missing') return;
    await load();
    render();
  }, 120000);
}

main();
