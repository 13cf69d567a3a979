// The series list: each series with its events and their buttons (publish, cancel, moderator
// link), and the blocks of the other console modules.
import { $, h } from '../dom.js';
import { t } from '../i18n.js';
import { accessPanel } from './access.js';
import { commonBlock } from './common.js';
import { copyBox, errorText } from './forms.js';
import { list, viewerZone, when, zoneLabel } from './format.js';
import { membersBlock } from './members.js';
import { organisationsBlock } from './organisations.js';
import { licencePanel, recordPanel } from './record.js';
import { windowLine } from './window.js';
import { openEventForm } from './event-form.js';
import { openSeriesForm } from './series-form.js';
import { rescheduleForm, rescheduling, toggleReschedule } from './reschedule.js';
import { api, reload, rerender, say, state } from './state.js';

const modLinks = new Map(); // event slug -> moderator_url shown after rotating

export function renderSeries() {
  $('#series-none').hidden = state.seriesList.length > 0;
  $('#series-list').replaceChildren(...state.seriesList.map(seriesItem));
}

function seriesItem(s) {
  const headId = `s-${s.slug}`;
  const events = [...(s.events || [])].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  return h('li', { class: 'card series' },
    h('div', { class: 'row' },
      h('h3', { id: headId, tabindex: '-1', dir: 'auto' }, s.title),
      h('span', { class: 'badge', 'data-state': s.published ? 'published' : 'draft' }, t(s.published ? 'org_published' : 'org_draft')),
      s.role ? h('span', { class: 'badge', 'data-state': s.role }, t('org_your_role', { role: t(`org_role_${s.role}`) })) : null),
    s.description ? h('p', { class: 'desc' }, s.description) : null,
    h('p', { class: 'links' },
      h('a', { href: s.schedule_url }, t('org_public_schedule')), ' ',
      h('a', { href: s.feed_url }, t('org_feed')),
      s.published ? null : h('span', { class: 'hint' }, ' ', t('org_draft_hint'))),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', id: `pub-${s.slug}`, class: s.published ? '' : 'primary', 'aria-describedby': headId, onclick: () => publish(s) },
        t(s.published ? 'org_unpublish' : 'org_publish')),
      h('button', { type: 'button', id: `edit-s-${s.slug}`, 'aria-describedby': headId, onclick: () => openSeriesForm(s) }, t('org_edit_series')),
      h('button', { type: 'button', id: `new-ev-${s.slug}`, class: 'secondary', 'aria-describedby': headId, onclick: () => openEventForm({ mode: 'new', series: s.slug }) }, t('org_new_event'))),
    membersBlock(s, { api, say, reload }),
    commonBlock(s, { api, say }),
    licencePanel(s, { api }),
    organisationsBlock(s, { api, rerender: () => rerender() }),
    h('h4', {}, t('org_events_count', { n: events.length })),
    events.length ? h('ol', { class: 'plain events' }, events.map((ev) => eventItem(ev, s))) : h('p', { class: 'muted' }, t('org_no_events')));
}

function eventItem(ev, s) {
  const headId = `e-${ev.slug}`;
  const cancelled = ev.status === 'cancelled';
  const over = cancelled || ev.status === 'ended';
  const open = rescheduling.has(ev.slug) && !over;
  const link = modLinks.get(ev.slug);
  return h('li', { class: `ev${cancelled ? ' cancelled' : ''}` },
    h('h5', { id: headId, tabindex: '-1' }, h('span', { class: 'title', dir: 'auto' }, ev.title)),
    h('p', { class: 'meta' },
      h('span', { class: 'badge', 'data-status': ev.status }, t(`status_${ev.status}`)), ' ',
      h('span', {}, t(`sch_kind_${ev.kind}`)),
      h('span', {}, t('org_sequence', { n: ev.sequence })),
      ev.code ? h('span', {}, t('join_code', { code: ev.code })) : null,
      h('span', {}, t(ev.moderation_mode === 'pre' ? 'org_mode_pre_short' : 'org_mode_post_short'))),
    h('p', {}, h('time', { datetime: ev.starts_at }, when(ev, ev.timezone)), ' ', h('span', { class: 'muted' }, t('sch_zone', { zone: zoneLabel(ev.timezone) }))),
    ev.timezone !== viewerZone() ? h('p', { class: 'muted' }, t('org_your_time', { time: when(ev) })) : null,
    ev.candidates.length ? h('p', {}, t('with_candidates', { names: list(ev.candidates) })) : null,
    ev.moderators.length ? h('p', { class: 'muted' }, t('sch_moderated_by', { names: list(ev.moderators) })) : null,
    ev.venue ? h('p', { class: 'muted' }, ev.venue) : null,
    windowLine(ev) ? h('p', { class: 'window' }, windowLine(ev)) : null,
    h('div', { class: 'buttons' },
      over ? null : h('button', { type: 'button', id: `edit-${ev.slug}`, 'aria-describedby': headId, onclick: () => openEventForm({ mode: 'edit', event: ev }) }, t('org_edit')),
      over ? null : h('button', { type: 'button', id: `rs-${ev.slug}`, 'aria-expanded': String(open), 'aria-controls': `rsf-${ev.slug}`, 'aria-describedby': headId, onclick: () => toggleReschedule(ev) }, t('org_reschedule')),
      over ? null : h('button', { type: 'button', id: `cancel-${ev.slug}`, class: 'danger', 'aria-describedby': headId, onclick: () => cancelEvent(ev) }, t('org_cancel_event')),
      cancelled ? null : h('button', { type: 'button', id: `key-${ev.slug}`, 'aria-describedby': headId, onclick: () => rotateKey(ev) }, t('org_moderator_link')),
      h('a', { href: ev.url, class: 'btn' }, t('org_participant_page'))),
    open ? rescheduleForm(ev) : null,
    over ? null : accessPanel(ev, { api, rerender: () => rerender(), series: s.slug }),
    cancelled ? null : recordPanel(ev, { api }),
    link && !cancelled ? h('div', { class: 'modlink' }, copyBox(`ml-${ev.slug}`, link, 'org_moderator_link_label'), h('p', { class: 'hint' }, t('org_moderator_link_hint'))) : null);
}

async function publish(s) {
  try {
    const updated = await api('POST', `/api/organiser/series/${encodeURIComponent(s.slug)}/publish`, { published: !s.published });
    state.seriesList = state.seriesList.map((x) => (x.slug === s.slug ? updated : x));
    rerender();
    say(updated.published ? 'org_now_published' : 'org_now_unpublished', { title: updated.title });
  } catch (err) {
    if (err.status !== 401) say('org_err_plain', { message: errorText(err) });
  }
}

async function cancelEvent(ev) {
  if (!window.confirm(t('org_confirm_cancel', { title: ev.title }))) return;
  try {
    await api('POST', `/api/organiser/events/${encodeURIComponent(ev.slug)}/cancel`, {});
    rescheduling.delete(ev.slug);
    await reload();
    say('org_cancelled', { title: ev.title });
    document.getElementById(`e-${ev.slug}`)?.focus();
  } catch (err) {
    if (err.status !== 401) say('org_err_plain', { message: errorText(err) });
  }
}

async function rotateKey(ev) {
  if (modLinks.has(ev.slug) && !window.confirm(t('org_confirm_rotate'))) return;
  if (!modLinks.has(ev.slug) && !window.confirm(t('org_confirm_rotate_first'))) return;
  try {
    const data = await api('POST', `/api/organiser/events/${encodeURIComponent(ev.slug)}/moderator-key`, {});
    modLinks.set(ev.slug, data.moderator_url);
    rerender();
    say('org_new_link', { title: ev.title });
    document.getElementById(`ml-${ev.slug}`)?.focus();
  } catch (err) {
    if (err.status !== 401) say('org_err_plain', { message: errorText(err) });
  }
}
