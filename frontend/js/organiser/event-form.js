// The event form: a new event in a series or an event edited (only what changed is sent),
// with its clashes, and the moderator link shown once an event is created.
import { $, h, setText } from '../dom.js';
import { t } from '../i18n.js';
import { clearErrors, copyBox, showApiError, showErrors } from './forms.js';
import { viewerZone } from './format.js';
import { fillWindow, keepWindowWallClock, windowErrors, windowPayload, windowValues } from './window.js';
import { clashItems, timingErrors } from './conflicts.js';
import { checkedValues, renderLanguages, renderPeople } from './people.js';
import { api, reload, say, state } from './state.js';

export function renderSeriesOptions() {
  const select = $('#ef-series');
  const value = select.value;
  select.replaceChildren(...state.seriesList.map((s) => h('option', { value: s.slug, dir: 'auto' }, s.title)));
  if (value) select.value = value;
}

export function renderFormTitles() {
  if (state.eventForm) {
    const edit = state.eventForm.mode === 'edit';
    setText($('#event-form-h'), edit ? t('org_edit_event', { title: state.eventForm.event.title }) : t('org_new_event'));
    setText($('#ef-submit'), t(edit ? 'org_save_changes' : 'org_create_event'));
  }
  const editSeries = state.seriesForm && state.seriesForm.mode === 'edit';
  setText($('#series-form-h'), editSeries ? t('org_edit_series_of', { title: state.seriesForm.series.title }) : t('org_new_series'));
  setText($('#sf-submit'), t(editSeries ? 'org_save_changes' : 'org_create_series'));
}

// The form's values as the API takes them.
function formPayload() {
  return {
    title: $('#ef-title').value.trim(),
    kind: $('#ef-kind').value,
    candidates: checkedValues('#ef-candidates'),
    moderators: checkedValues('#ef-moderators'),
    start: $('#ef-start').value,
    duration_minutes: Number($('#ef-duration').value),
    timezone: $('#ef-timezone').value.trim(),
    venue: $('#ef-venue').value.trim(),
    stream_url: $('#ef-stream').value.trim(),
    description: $('#ef-description').value.trim(),
    languages: checkedValues('#ef-languages'),
    moderation_mode: $('#ef-mode').value,
    ...windowPayload(),
  };
}

function eventValues(ev) {
  return {
    title: ev.title,
    kind: ev.kind,
    candidates: ev.candidates,
    moderators: ev.moderators,
    start: ev.local_start.slice(0, 16),
    duration_minutes: ev.duration_minutes,
    timezone: ev.timezone,
    venue: ev.venue || '',
    stream_url: ev.stream_url || '',
    description: ev.description || '',
    languages: ev.languages,
    moderation_mode: ev.moderation_mode || 'post',
    ...windowValues(ev),
  };
}

function fillEventForm(v) {
  $('#ef-title').value = v.title;
  $('#ef-kind').value = v.kind;
  renderPeople(v.candidates, v.moderators);
  $('#ef-start').value = v.start;
  $('#ef-duration').value = String(v.duration_minutes);
  $('#ef-timezone').value = v.timezone;
  $('#ef-venue').value = v.venue;
  $('#ef-stream').value = v.stream_url;
  $('#ef-description').value = v.description;
  renderLanguages(v.languages);
  $('#ef-mode').value = v.moderation_mode;
  fillWindow(v);
}

export function openEventForm(opening) {
  say(null);
  state.eventForm = opening;
  const form = $('#event-form');
  clearErrors(form);
  $('#ef-clashes').hidden = true;
  const edit = opening.mode === 'edit';
  $('#ef-series-field').hidden = edit;
  renderSeriesOptions();
  if (!edit) $('#ef-series').value = opening.series;
  fillEventForm(edit ? eventValues(opening.event) : {
    title: '', kind: 'informal_dialogue', candidates: [], moderators: [], start: '', duration_minutes: 90,
    timezone: viewerZone(), venue: '', stream_url: '', description: '', languages: ['en'], moderation_mode: 'post',
    ...windowValues(null),
  });
  renderFormTitles();
  $('#event-box').hidden = false;
  $('#event-form-h').focus();
}

export function closeEventForm() {
  const back = state.eventForm && (state.eventForm.mode === 'edit' ? `edit-${state.eventForm.event.slug}` : `new-ev-${$('#ef-series').value}`);
  state.eventForm = null;
  $('#event-box').hidden = true;
  if (back) document.getElementById(back)?.focus();
}

function eventErrors(body) {
  const errors = [];
  if (!body.title) errors.push(['title', t('org_fe_title')]);
  errors.push(...timingErrors(body));
  if (body.stream_url && !/^https?:\/\/[^\s/]+\S*$/.test(body.stream_url)) errors.push(['stream_url', t('org_fe_stream_url')]);
  errors.push(...windowErrors(body));
  return errors;
}

export async function submitEvent(override) {
  const form = $('#event-form');
  const alertEl = $('#ef-err');
  const body = formPayload();
  const errors = eventErrors(body);
  if (errors.length) return showErrors(form, alertEl, errors);
  clearErrors(form);
  $('#ef-clashes').hidden = true;
  const edit = state.eventForm.mode === 'edit';
  let path = `/api/organiser/series/${encodeURIComponent($('#ef-series').value)}/events`;
  let send = body;
  if (edit) {
    // Only what changed; the start goes along with a new time zone so the wall-clock time holds.
    const before = eventValues(state.eventForm.event);
    send = {};
    for (const [k, v] of Object.entries(body)) if (JSON.stringify(v) !== JSON.stringify(before[k])) send[k] = v;
    if ('timezone' in send) send.start = body.start;
    keepWindowWallClock(send, body);
    if (!Object.keys(send).length) { closeEventForm(); say('org_nothing_changed'); return; }
    path = `/api/organiser/events/${encodeURIComponent(state.eventForm.event.slug)}`;
  }
  send.override_conflicts = override;
  const button = $('#ef-submit');
  button.disabled = true;
  try {
    const data = await api(edit ? 'PATCH' : 'POST', path, send);
    state.eventForm = null;
    $('#event-box').hidden = true;
    await reload();
    if (edit) {
      say('org_event_saved', { title: data.event.title, n: data.event.sequence });
      document.getElementById(`e-${data.event.slug}`)?.focus();
    } else {
      showCreated(data);
    }
  } catch (err) {
    if (err.status === 409 && err.error.code === 'conflicts') {
      $('#ef-clashes').hidden = false;
      setText($('#ef-clash-text'), t('org_clash_intro', { n: (err.error.clashes || []).length }));
      $('#ef-clash-list').replaceChildren(...clashItems(err.error.clashes || [], body.timezone));
      $('#ef-override').focus();
    } else if (err.status !== 401) showApiError(form, alertEl, err);
  } finally {
    button.disabled = false;
  }
}

function showCreated(data) {
  const ev = data.event;
  say('org_event_created', { title: ev.title });
  setText($('#created-h'), t('org_event_created', { title: ev.title }));
  $('#created-link').replaceChildren(copyBox('created-url', data.moderator_url, 'org_moderator_link_label'));
  setText($('#created-code'), ev.code ? t('join_code', { code: ev.code }) : '');
  $('#created-page').href = ev.url;
  $('#created').hidden = false;
  $('#created').focus();
}
