// The home page: events and "join by code".
import { $, h, setText } from './dom.js';
import { t, startI18n, currentLang } from './i18n.js';
import { windowPhase } from './calendar.js';

let events = null;
let failed = false;

function when(iso, timeZone) {
  const opts = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };
  try {
    return new Intl.DateTimeFormat(currentLang(), { ...opts, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(currentLang(), opts).format(new Date(iso));
  }
}

function render() {
  const unknown = new URLSearchParams(location.search).has('unknown_code');
  setText($('#join-err'), unknown ? t('join_unknown') : '');
  $('#code').setAttribute('aria-invalid', String(unknown));
  const msg = $('#events-msg');
  msg.hidden = !!(events && events.length);
  setText(msg, failed ? t('events_failed') : events ? t('events_none') : t('events_loading'));
  const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  $('#events').replaceChildren(...(events || []).map((ev) => {
    const path = `/e/${encodeURIComponent(ev.slug)}`;
    const local = when(ev.starts_at);
    const there = ev.timezone && ev.timezone !== viewerZone ? when(ev.starts_at, ev.timezone) : null;
    return h('li', { class: 'card event' },
      h('h3', {}, h('a', { href: path, dir: 'auto' }, ev.title)),
      h('p', { class: 'meta' }, h('span', { class: 'badge', 'data-status': ev.status }, t(`status_${ev.status}`)),
        // Live, or taking questions in advance (docs/calendar.md).
        ev.questions_open && (ev.status === 'live' || windowPhase(ev) === 'inside') ? ` ${t('questions_open')}` : ''),
      ev.candidates && ev.candidates.length
        ? h('p', {}, t('with_candidates', { names: new Intl.ListFormat(currentLang(), { type: 'conjunction' }).format(ev.candidates.map((c) => (typeof c === 'string' ? c : c.name))) }))
        : null,
      h('p', {}, h('time', { datetime: ev.starts_at }, local), ` (${t('your_time')})`),
      there ? h('p', { class: 'muted' }, t('time_there', { time: there })) : null,
      ev.venue ? h('p', { class: 'muted', dir: 'auto' }, ev.venue) : null);
  }));
}

async function main() {
  await startI18n(render);
  render();
  try {
    const r = await fetch('/api/events');
    if (!r.ok) throw new Error(String(r.status));
    events = (await r.json()).events || [];
  } catch {
    failed = true;
  }
  render();
}

main();
