// Clashes with other events (shown when saving an event or a new time) and the checks of an
// event's timing, shared by the event form and the inline reschedule form.
import { h, setText } from '../dom.js';
import { t } from '../i18n.js';
import { list, when, zoneOk } from './format.js';

export const MAX_MINUTES = 1440;

// Clash times are shown in the zone being planned in (the form's), so they compare at a glance.
export function clashItems(clashes, zone) {
  return clashes.map((c) => h('li', {},
    h('strong', { dir: 'auto' }, c.event.title), ' ', h('span', { class: 'muted' }, when(c.event, zoneOk(zone) ? zone : undefined)),
    c.candidates.length ? h('div', {}, t('org_clash_candidates', { names: list(c.candidates) })) : null,
    c.moderators.length ? h('div', {}, t('org_clash_moderators', { names: list(c.moderators) })) : null,
    c.venue ? h('div', {}, t('org_clash_venue', { venue: c.venue })) : null));
}

// Fills a clash box: a role="alert" sentence, the list, "Save anyway" and "Change the details".
export function showClashes(box, items, onOverride, onChange) {
  const title = h('p', { class: 'clash-title', role: 'alert' });
  const anyway = h('button', { type: 'button', class: 'primary', onclick: onOverride }, t('org_save_anyway'));
  box.replaceChildren(title, h('ul', {}, items),
    h('div', { class: 'buttons' }, anyway, h('button', { type: 'button', onclick: () => { box.hidden = true; onChange(); } }, t('org_change_details'))));
  box.hidden = false;
  setText(title, t('org_clash_intro', { n: items.length }));
  anyway.focus();
}

export function timingErrors(body) {
  const errors = [];
  if (!body.start || Number.isNaN(Date.parse(body.start))) errors.push(['start', t('org_fe_start')]);
  if (!Number.isInteger(body.duration_minutes) || body.duration_minutes < 1 || body.duration_minutes > MAX_MINUTES) {
    errors.push(['duration_minutes', t('org_fe_duration_minutes')]);
  }
  if (!zoneOk(body.timezone)) errors.push(['timezone', t('org_fe_timezone')]);
  return errors;
}
