// The event form's question window (docs/calendar.md, "Questions in advance"): when an event
// takes questions and votes before it goes live. The inputs hold wall-clock times at the venue,
// as the start does; the API takes them so (in the event's time zone) and answers in UTC.
import { $ } from '../dom.js';
import { t } from '../i18n.js';
import { windowText } from '../calendar.js';

const FIELDS = [['questions_from', '#ef-qfrom'], ['questions_until', '#ef-quntil']];

// "2026-12-01T09:00" at the venue for a UTC instant (null for none).
function wallClock(iso, timeZone) {
  if (!iso) return null;
  const parts = {};
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  for (const p of f.formatToParts(new Date(iso))) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

// An event's window as the form holds it (null: not set), for filling and for finding changes.
export function windowValues(ev) {
  return Object.fromEntries(FIELDS.map(([name]) => [name, ev ? wallClock(ev[name], ev.timezone) : null]));
}

export function fillWindow(values) {
  for (const [name, sel] of FIELDS) $(sel).value = values[name] || '';
}

// What the form says; an emptied field is null, which clears that side.
export function windowPayload() {
  return Object.fromEntries(FIELDS.map(([name, sel]) => [name, $(sel).value || null]));
}

// Checked here as the server does (it checks again, against the start too).
export function windowErrors(body) {
  const errors = [];
  for (const [name] of FIELDS) if (body[name] && Number.isNaN(Date.parse(body[name]))) errors.push([name, t(`org_fe_${name}`)]);
  if (!errors.length && body.questions_from && body.questions_until && body.questions_until <= body.questions_from) {
    errors.push(['questions_until', t('org_fe_questions_until')]);
  }
  if (!errors.length && body.questions_until && body.start && body.questions_until < body.start) {
    errors.push(['questions_until', t('org_fe_questions_until')]);
  }
  return errors;
}

// A new time zone moves wall-clock times: send the window along so it keeps what the form shows.
export function keepWindowWallClock(send, body) {
  if (!('timezone' in send)) return;
  for (const [name] of FIELDS) if (body[name]) send[name] = body[name];
}

// The line on an event's card in the console.
export const windowLine = (ev) => windowText(ev);
