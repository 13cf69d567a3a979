// Shared by the schedule and the question page: "add to calendar" links, and when an event
// takes questions (its advance window, docs/calendar.md), in the reader's language and time zone.
import { h } from './dom.js';
import { t, currentLang } from './i18n.js';

// Dates follow the page language, in the viewer's regional variant when it matches (en-GB: 24 h).
export const locale = () => (navigator.languages || []).find((l) => l.toLowerCase().split('-')[0] === currentLang()) || currentLang();

// "Tuesday 1 December 2026, 13:09 EST" in `timeZone` (the reader's when undefined).
export function moment(iso, timeZone) {
  const opts = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };
  let f;
  try { f = new Intl.DateTimeFormat(locale(), { ...opts, timeZone }); } catch { f = new Intl.DateTimeFormat(locale(), opts); }
  return f.format(new Date(iso));
}

// "Questions open from … until …", or null when the event has no window.
export function windowText(ev) {
  const from = ev.questions_from ? moment(ev.questions_from) : null;
  const until = ev.questions_until ? moment(ev.questions_until) : null;
  if (from && until) return t('adv_window', { from, until });
  if (from) return t('adv_window_from', { from });
  if (until) return t('adv_window_until', { until });
  return null;
}

// Where `now` falls in the window: 'before', 'inside' or 'after' (null: no window).
export function windowPhase(ev, now = Date.now()) {
  if (!ev.questions_from && !ev.questions_until) return null;
  if (ev.questions_until && now >= Date.parse(ev.questions_until)) return 'after';
  if (ev.questions_from && now < Date.parse(ev.questions_from)) return 'before';
  return 'inside';
}

// The invite download and the calendar apps' own "add event" links (those it has).
export function calendarLinks(ev) {
  const link = (href, key, extra = {}) => (href ? h('a', { class: 'btn small', href, ...extra }, t(key)) : null);
  return h('div', { class: 'cal', role: 'group', 'aria-label': t('sch_add_to_calendar_of', { title: ev.title }) },
    h('span', { class: 'hint', 'aria-hidden': 'true' }, t('sch_add_to_calendar')),
    link(ev.ics_url, 'sch_ics', { download: `${ev.slug}.ics` }),
    link(ev.google_url, 'sch_google', { rel: 'noopener' }),
    link(ev.outlook_url, 'sch_outlook', { rel: 'noopener' }));
}
