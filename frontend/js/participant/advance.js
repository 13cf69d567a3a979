// Before the event goes live: when questions are taken, when it starts, and "add to calendar".
import { $, setText } from '../dom.js';
import { t } from '../i18n.js';
import { calendarLinks, moment, windowText } from '../calendar.js';
import { lang, page, slug, state } from './state.js';

let calendarShown = '';
let details = null; // GET /api/events/{slug}: the calendar links
export function renderAdvance(phase) {
  const before = !['ended', 'cancelled'].includes(state.event.status) && Date.now() < Date.parse(state.event.starts_at);
  $('#advance').hidden = !before;
  if (!before) return;
  if (!details) loadDetails();
  const questions = windowText(state.event);
  setText($('#advance-h'), t(questions ? 'adv_heading' : 'adv_before_heading'));
  setText($('#advance-window'), questions || '');
  $('#advance-window').hidden = !questions;
  $('#advance-open').hidden = !(phase === 'inside' && state.event.questions_open);
  setText($('#advance-starts'), t('adv_starts', { start: moment(state.event.starts_at) }));
  // Rebuilt only when something in it changes, so a focused link keeps its focus.
  const links = { ...state.event, ics_url: `/events/${encodeURIComponent(slug)}/invite.ics`, ...(details || {}) };
  const key = `${lang()}|${links.title}|${links.google_url}`;
  if (key !== calendarShown) {
    calendarShown = key;
    $('#advance-cal').replaceChildren(calendarLinks(links));
  }
}

let detailsAsked = false;
export async function loadDetails() {
  if (detailsAsked) return;
  detailsAsked = true;
  try {
    const r = await fetch(`/api/events/${encodeURIComponent(slug)}`, { headers: { Accept: 'application/json' } });
    if (r.ok) { details = await r.json(); page.render(); }
  } catch { /* offline: the .ics link alone */ }
}
