// The organiser console: /organise (series, events, people, moderator links).
import { $, h, setText } from './dom.js';
import { t, startI18n } from './i18n.js';
import { accessPanel } from './organiser/access.js';
import { apiClient } from './organiser/api.js';
import { clearErrors, copyBox, errorText, keepFocus, showApiError, showErrors } from './organiser/forms.js';
import { languageName, list, viewerZone, when, zoneLabel, zoneOk } from './organiser/format.js';
import { tooMany, wireAccount } from './organiser/account.js';
import { membersBlock } from './organiser/members.js';
import { commonBlock } from './organiser/common.js';
import { fillWindow, keepWindowWallClock, windowErrors, windowLine, windowPayload, windowValues } from './organiser/window.js';
import { licencePanel, recordPanel } from './organiser/record.js';
import { organisationsBlock } from './organiser/organisations.js';

const LANGUAGES = ['en', 'fr', 'es', 'ar', 'zh', 'ru']; // the six official UN languages
const MAX_MINUTES = 1440;

let csrf = '';
let me = null;
let seriesList = [];
let people = { candidates: [], moderators: [] };
let eventForm = null; // {mode: 'new'} | {mode: 'edit', event}
let seriesForm = null; // {mode: 'new'} | {mode: 'edit', series}
let statusMsg = null; // [key, vars]
const modLinks = new Map(); // event slug -> moderator_url shown after rotating
const rescheduling = new Set(); // event slugs whose reschedule form is open

function say(key, vars = {}) {
  statusMsg = key ? [key, vars] : null;
  setText($('#status'), key ? t(key, vars) : '');
}

const api = apiClient({ csrf: () => csrf, renew: () => loadMe(), signedOut: () => showSignIn() });

// --- signed in / out -------------------------------------------------------------------------
async function loadMe() {
  try {
    const r = await fetch('/api/organiser/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!r.ok) return false;
    const data = await r.json();
    me = data.organiser;
    csrf = data.csrf_token;
    return true;
  } catch {
    return false;
  }
}

function showSignIn() {
  me = null;
  csrf = '';
  $('#loading').hidden = true;
  $('#console').hidden = true;
  $('#who').hidden = true;
  $('#signin').hidden = false;
  $('#si-email').focus();
}

async function showConsole() {
  $('#loading').hidden = false;
  $('#signin').hidden = true;
  $('#who').hidden = false;
  setText($('#who-name'), t('org_signed_in_as', { name: me.name || me.email }));
  try {
    await Promise.all([loadSeries(), loadPeople()]);
  } catch (err) {
    if (err.status === 401) return;
    say('org_err_load');
  }
  $('#loading').hidden = true;
  $('#console').hidden = false;
  renderAll();
}

async function signIn(e) {
  e.preventDefault();
  const form = e.target;
  const email = $('#si-email').value.trim();
  const password = $('#si-password').value;
  const errors = [];
  if (!email) errors.push(['email', t('org_fe_email')]);
  if (!password) errors.push(['password', t('org_fe_password')]);
  if (errors.length) return showErrors(form, $('#signin-err'), errors);
  clearErrors(form);
  form.querySelector('button').disabled = true;
  try {
    const data = await api('POST', '/api/organiser/sign-in', { email, password });
    me = data.organiser;
    csrf = data.csrf_token;
    $('#si-password').value = '';
    await showConsole();
    say('org_welcome', { name: me.name || me.email });
    $('#series-h').setAttribute('tabindex', '-1');
    $('#series-h').focus();
  } catch (err) {
    if (err.error.code === 'bad_credentials') {
      showErrors(form, $('#signin-err'), [[null, t('org_err_bad_credentials')]]);
      $('#si-email').setAttribute('aria-invalid', 'true');
      $('#si-password').setAttribute('aria-invalid', 'true');
      $('#si-password').focus();
    } else if (err.status === 429) showErrors(form, $('#signin-err'), [[null, tooMany(err)]]);
    else showApiError(form, $('#signin-err'), err);
  } finally {
    form.querySelector('button').disabled = false;
  }
}

async function signOut() {
  try { await api('POST', '/api/organiser/sign-out', {}); } catch { /* the cookie is cleared anyway */ }
  say('org_signed_out');
  showSignIn();
}

// --- data ------------------------------------------------------------------------------------
async function loadSeries() {
  seriesList = (await api('GET', '/api/organiser/series')).series || [];
}

async function loadPeople() {
  people = await api('GET', '/api/organiser/people');
}

async function reload() {
  try { await loadSeries(); } catch (err) { if (err.status !== 401) say('org_err_load'); }
  keepFocus(renderSeries);
}

// --- series list -----------------------------------------------------------------------------
function renderAll() {
  if (!me) return;
  setText($('#who-name'), t('org_signed_in_as', { name: me.name || me.email }));
  keepFocus(renderSeries);
  renderPeople();
  renderLanguages(checkedValues('#ef-languages'));
  renderSeriesOptions();
  renderFormTitles();
  if (statusMsg) say(...statusMsg);
}

function renderSeries() {
  $('#series-none').hidden = seriesList.length > 0;
  $('#series-list').replaceChildren(...seriesList.map(seriesItem));
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
    organisationsBlock(s, { api, rerender: () => keepFocus(renderSeries) }),
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
    over ? null : accessPanel(ev, { api, rerender: () => keepFocus(renderSeries), series: s.slug }),
    cancelled ? null : recordPanel(ev, { api }),
    link && !cancelled ? h('div', { class: 'modlink' }, copyBox(`ml-${ev.slug}`, link, 'org_moderator_link_label'), h('p', { class: 'hint' }, t('org_moderator_link_hint'))) : null);
}

async function publish(s) {
  try {
    const updated = await api('POST', `/api/organiser/series/${encodeURIComponent(s.slug)}/publish`, { published: !s.published });
    seriesList = seriesList.map((x) => (x.slug === s.slug ? updated : x));
    keepFocus(renderSeries);
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
    keepFocus(renderSeries);
    say('org_new_link', { title: ev.title });
    document.getElementById(`ml-${ev.slug}`)?.focus();
  } catch (err) {
    if (err.status !== 401) say('org_err_plain', { message: errorText(err) });
  }
}

// --- conflicts ---------------------------------------------------------------------------------
// Clash times are shown in the zone being planned in (the form's), so they compare at a glance.
function clashItems(clashes, zone) {
  return clashes.map((c) => h('li', {},
    h('strong', { dir: 'auto' }, c.event.title), ' ', h('span', { class: 'muted' }, when(c.event, zoneOk(zone) ? zone : undefined)),
    c.candidates.length ? h('div', {}, t('org_clash_candidates', { names: list(c.candidates) })) : null,
    c.moderators.length ? h('div', {}, t('org_clash_moderators', { names: list(c.moderators) })) : null,
    c.venue ? h('div', {}, t('org_clash_venue', { venue: c.venue })) : null));
}

// --- reschedule (inline, per event) ------------------------------------------------------------
function toggleReschedule(ev) {
  if (rescheduling.has(ev.slug)) rescheduling.delete(ev.slug);
  else rescheduling.add(ev.slug);
  keepFocus(renderSeries);
  if (rescheduling.has(ev.slug)) document.getElementById(`rsf-${ev.slug}-start`)?.focus();
}

function rescheduleForm(ev) {
  const id = `rsf-${ev.slug}`;
  const alertEl = h('p', { class: 'error', role: 'alert', id: `${id}-err` });
  const clashBox = h('div', { class: 'clashes', hidden: true });
  const field = (name, labelKey, attrs, hintKey) => h('div', { class: 'field', 'data-field': name },
    h('label', { for: `${id}-${name}` }, t(labelKey)),
    h('input', { id: `${id}-${name}`, name, 'aria-describedby': `${hintKey ? `${id}-${name}-hint ` : ''}${id}-${name}-err`, ...attrs }),
    hintKey ? h('p', { class: 'hint', id: `${id}-${name}-hint` }, t(hintKey)) : null,
    h('p', { class: 'error', id: `${id}-${name}-err` }));
  const form = h('form', { id, class: 'reschedule', novalidate: true, 'aria-labelledby': `${id}-h` },
    h('h6', { id: `${id}-h` }, t('org_reschedule_heading', { title: ev.title })),
    alertEl, clashBox,
    field('start', 'org_f_start', { type: 'datetime-local', required: true, value: ev.local_start.slice(0, 16) }),
    field('duration_minutes', 'org_f_duration', { type: 'number', inputmode: 'numeric', min: 1, max: MAX_MINUTES, step: 1, required: true, value: ev.duration_minutes }, 'org_duration_hint'),
    field('timezone', 'org_f_timezone', { list: 'zones', required: true, autocomplete: 'off', spellcheck: 'false', value: ev.timezone }, 'org_timezone_hint'),
    h('div', { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary' }, t('org_reschedule_save')),
      h('button', { type: 'button', onclick: () => toggleReschedule(ev) }, t('cancel'))));
  const send = async (override) => {
    const body = {
      start: form.elements.start.value,
      duration_minutes: Number(form.elements.duration_minutes.value),
      timezone: form.elements.timezone.value.trim(),
      override_conflicts: override,
    };
    const errors = timingErrors(body);
    if (errors.length) return showErrors(form, alertEl, errors);
    clearErrors(form);
    clashBox.hidden = true;
    try {
      const data = await api('POST', `/api/organiser/events/${encodeURIComponent(ev.slug)}/reschedule`, body);
      rescheduling.delete(ev.slug);
      await reload();
      say('org_rescheduled', { title: data.event.title, n: data.event.sequence });
      document.getElementById(`e-${ev.slug}`)?.focus();
    } catch (err) {
      if (err.status === 409 && err.error.code === 'conflicts') {
        showClashes(clashBox, clashItems(err.error.clashes || [], body.timezone), () => send(true), () => form.elements.start.focus());
      } else if (err.status !== 401) showApiError(form, alertEl, err);
    }
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); send(false); });
  return form;
}

// Fills a clash box: a role="alert" sentence, the list, "Save anyway" and "Change the details".
function showClashes(box, items, onOverride, onChange) {
  const title = h('p', { class: 'clash-title', role: 'alert' });
  const anyway = h('button', { type: 'button', class: 'primary', onclick: onOverride }, t('org_save_anyway'));
  box.replaceChildren(title, h('ul', {}, items),
    h('div', { class: 'buttons' }, anyway, h('button', { type: 'button', onclick: () => { box.hidden = true; onChange(); } }, t('org_change_details'))));
  box.hidden = false;
  setText(title, t('org_clash_intro', { n: items.length }));
  anyway.focus();
}

function timingErrors(body) {
  const errors = [];
  if (!body.start || Number.isNaN(Date.parse(body.start))) errors.push(['start', t('org_fe_start')]);
  if (!Number.isInteger(body.duration_minutes) || body.duration_minutes < 1 || body.duration_minutes > MAX_MINUTES) {
    errors.push(['duration_minutes', t('org_fe_duration_minutes')]);
  }
  if (!zoneOk(body.timezone)) errors.push(['timezone', t('org_fe_timezone')]);
  return errors;
}

// --- series form -------------------------------------------------------------------------------
function openSeriesForm(s) {
  say(null);
  seriesForm = s ? { mode: 'edit', series: s } : { mode: 'new' };
  const form = $('#series-form');
  clearErrors(form);
  form.reset();
  if (s) {
    $('#sf-title').value = s.title;
    $('#sf-description').value = s.description || '';
  }
  renderFormTitles();
  $('#series-box').hidden = false;
  $('#new-series-open').setAttribute('aria-expanded', 'true');
  $('#sf-title').focus();
}

function closeSeriesForm() {
  const back = seriesForm && seriesForm.mode === 'edit' ? `edit-s-${seriesForm.series.slug}` : 'new-series-open';
  seriesForm = null;
  $('#series-box').hidden = true;
  $('#new-series-open').setAttribute('aria-expanded', 'false');
  document.getElementById(back)?.focus();
}

async function submitSeries(e) {
  e.preventDefault();
  const form = e.target;
  const body = { title: $('#sf-title').value.trim(), description: $('#sf-description').value.trim() };
  if (!body.title) return showErrors(form, $('#sf-err'), [['title', t('org_fe_title')]]);
  clearErrors(form);
  try {
    const editing = seriesForm && seriesForm.mode === 'edit' ? seriesForm.series.slug : null;
    const saved = editing
      ? await api('PATCH', `/api/organiser/series/${encodeURIComponent(editing)}`, body)
      : await api('POST', '/api/organiser/series', body);
    seriesForm = null;
    $('#series-box').hidden = true;
    $('#new-series-open').setAttribute('aria-expanded', 'false');
    await reload();
    say(editing ? 'org_series_saved' : 'org_series_created', { title: saved.title });
    document.getElementById(`s-${saved.slug}`)?.focus();
  } catch (err) {
    if (err.status !== 401) showApiError(form, $('#sf-err'), err);
  }
}

// --- event form --------------------------------------------------------------------------------
function checkedValues(sel) {
  return [...$(sel).querySelectorAll('input:checked')].map((i) => i.value);
}

function checks(sel, prefix, items, chosen) {
  const want = new Set(chosen);
  $(sel).replaceChildren(...items.map(([value, label], i) => h('li', {},
    h('input', { type: 'checkbox', id: `${prefix}-${i}`, value, checked: want.has(value) }),
    h('label', { for: `${prefix}-${i}`, dir: 'auto' }, label))));
}

function renderPeople(chosenCandidates = checkedValues('#ef-candidates'), chosenModerators = checkedValues('#ef-moderators')) {
  const cands = people.candidates.map((c) => [c.name, c.country ? `${c.name} (${c.country})` : c.name]);
  const mods = people.moderators.map((m) => [m.name, m.name]);
  // Names on the event that are no longer listed stay visible, so an edit does not drop them.
  for (const n of chosenCandidates) if (!cands.some(([v]) => v === n)) cands.push([n, n]);
  for (const n of chosenModerators) if (!mods.some(([v]) => v === n)) mods.push([n, n]);
  checks('#ef-candidates', 'cand', cands, chosenCandidates);
  checks('#ef-moderators', 'mod', mods, chosenModerators);
  setEmptyNote('#ef-candidates', cands.length, 'org_no_candidates');
  setEmptyNote('#ef-moderators', mods.length, 'org_no_moderators');
}

function setEmptyNote(sel, count, key) {
  if (!count) $(sel).replaceChildren(h('li', { class: 'muted' }, t(key)));
}

function renderLanguages(chosen) {
  const tags = [...LANGUAGES, ...chosen.filter((tag) => !LANGUAGES.includes(tag))];
  checks('#ef-languages', 'lang', tags.map((tag) => [tag, languageName(tag)]), chosen);
}

function renderSeriesOptions() {
  const select = $('#ef-series');
  const value = select.value;
  select.replaceChildren(...seriesList.map((s) => h('option', { value: s.slug, dir: 'auto' }, s.title)));
  if (value) select.value = value;
}

function renderFormTitles() {
  if (eventForm) {
    const edit = eventForm.mode === 'edit';
    setText($('#event-form-h'), edit ? t('org_edit_event', { title: eventForm.event.title }) : t('org_new_event'));
    setText($('#ef-submit'), t(edit ? 'org_save_changes' : 'org_create_event'));
  }
  const editSeries = seriesForm && seriesForm.mode === 'edit';
  setText($('#series-form-h'), editSeries ? t('org_edit_series_of', { title: seriesForm.series.title }) : t('org_new_series'));
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

function openEventForm(state) {
  say(null);
  eventForm = state;
  const form = $('#event-form');
  clearErrors(form);
  $('#ef-clashes').hidden = true;
  const edit = state.mode === 'edit';
  $('#ef-series-field').hidden = edit;
  renderSeriesOptions();
  if (!edit) $('#ef-series').value = state.series;
  fillEventForm(edit ? eventValues(state.event) : {
    title: '', kind: 'informal_dialogue', candidates: [], moderators: [], start: '', duration_minutes: 90,
    timezone: viewerZone(), venue: '', stream_url: '', description: '', languages: ['en'], moderation_mode: 'post',
    ...windowValues(null),
  });
  renderFormTitles();
  $('#event-box').hidden = false;
  $('#event-form-h').focus();
}

function closeEventForm() {
  const back = eventForm && (eventForm.mode === 'edit' ? `edit-${eventForm.event.slug}` : `new-ev-${$('#ef-series').value}`);
  eventForm = null;
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

async function submitEvent(override) {
  const form = $('#event-form');
  const alertEl = $('#ef-err');
  const body = formPayload();
  const errors = eventErrors(body);
  if (errors.length) return showErrors(form, alertEl, errors);
  clearErrors(form);
  $('#ef-clashes').hidden = true;
  const edit = eventForm.mode === 'edit';
  let path = `/api/organiser/series/${encodeURIComponent($('#ef-series').value)}/events`;
  let send = body;
  if (edit) {
    // Only what changed; the start goes along with a new time zone so the wall-clock time holds.
    const before = eventValues(eventForm.event);
    send = {};
    for (const [k, v] of Object.entries(body)) if (JSON.stringify(v) !== JSON.stringify(before[k])) send[k] = v;
    if ('timezone' in send) send.start = body.start;
    keepWindowWallClock(send, body);
    if (!Object.keys(send).length) { closeEventForm(); say('org_nothing_changed'); return; }
    path = `/api/organiser/events/${encodeURIComponent(eventForm.event.slug)}`;
  }
  send.override_conflicts = override;
  const button = $('#ef-submit');
  button.disabled = true;
  try {
    const data = await api(edit ? 'PATCH' : 'POST', path, send);
    eventForm = null;
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

async function addPerson(details) {
  const kind = details.dataset.kind;
  const [nameInput, extraInput] = details.querySelectorAll('input');
  const alertEl = details.querySelector('[role=alert]');
  const name = nameInput.value.trim();
  nameInput.removeAttribute('aria-invalid');
  if (!name) {
    setText(alertEl, t('org_fe_name'));
    nameInput.setAttribute('aria-invalid', 'true');
    nameInput.focus();
    return;
  }
  const extra = extraInput.value.trim() || null;
  const body = kind === 'candidate' ? { name, country: extra } : { name, email: extra };
  try {
    const saved = await api('POST', `/api/organiser/${kind}s`, body);
    setText(alertEl, '');
    nameInput.value = '';
    extraInput.value = '';
    const cands = checkedValues('#ef-candidates');
    const mods = checkedValues('#ef-moderators');
    await loadPeople();
    (kind === 'candidate' ? cands : mods).push(saved.name);
    renderPeople(cands, mods);
    say(kind === 'candidate' ? 'org_candidate_added' : 'org_moderator_added', { name: saved.name });
    nameInput.focus();
  } catch (err) {
    if (err.status === 401) return;
    setText(alertEl, err.error.code === 'duplicate' ? t('org_err_duplicate', { name }) : errorText(err));
    nameInput.setAttribute('aria-invalid', 'true');
    nameInput.focus();
  }
}

// --- start -------------------------------------------------------------------------------------
function wire() {
  $('#signin-form').addEventListener('submit', signIn);
  $('#sign-out').addEventListener('click', signOut);
  wireAccount({ api, say, signedIn: (data) => { me = data.organiser; csrf = data.csrf_token; } });
  $('#new-series-open').addEventListener('click', () => (seriesForm ? closeSeriesForm() : openSeriesForm(null)));
  $('#series-form').addEventListener('submit', submitSeries);
  $('#series-form .cancel-form').addEventListener('click', closeSeriesForm);
  $('#event-form').addEventListener('submit', (e) => { e.preventDefault(); submitEvent(false); });
  $('#event-form .cancel-form').addEventListener('click', closeEventForm);
  $('#ef-override').addEventListener('click', () => submitEvent(true));
  $('#ef-change').addEventListener('click', () => { $('#ef-clashes').hidden = true; $('#ef-start').focus(); });
  $('#created-close').addEventListener('click', () => {
    $('#created').hidden = true;
    $('#series-h').setAttribute('tabindex', '-1');
    $('#series-h').focus();
  });
  for (const details of document.querySelectorAll('.add-person')) {
    details.querySelector('button.add').addEventListener('click', () => addPerson(details));
    // Enter in the small inline forms adds the person instead of submitting the event form.
    details.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target.matches('input')) { e.preventDefault(); addPerson(details); }
    });
  }
  let zones = [];
  try { zones = Intl.supportedValuesOf('timeZone'); } catch { zones = []; }
  if (!zones.includes('UTC')) zones = [...zones, 'UTC'];
  $('#zones').replaceChildren(...zones.map((z) => h('option', { value: z })));
}

async function main() {
  await startI18n(renderAll);
  wire();
  if (await loadMe()) await showConsole();
  else showSignIn();
}

main();
