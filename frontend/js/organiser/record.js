// The public record in the organiser console: per event, the recording (link and start, for
// the record's links into it), the record's address and the widget's embed code; per series,
// the licence notice of its records (docs/record.md).
import { h, setText } from '../dom.js';
import { t } from '../i18n.js';
import { errorText } from './forms.js';
import { viewerZone, zoneLabel } from './format.js';

// Per event or series: whether its panel is open and its last note, across re-renders.
const panels = new Map();
const stateOf = (key) => {
  if (!panels.has(key)) panels.set(key, { open: false, note: '' });
  return panels.get(key);
};

// ISO time -> the value of a datetime-local input in the viewer's zone, and back.
const pad = (n) => String(n).padStart(2, '0');
function localValue(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
const isoValue = (local) => (local ? new Date(local).toISOString() : null);

function panel(key, summary, children, note) {
  const state = stateOf(key);
  const details = h('details', { class: 'access record-panel', id: key, open: state.open }, h('summary', {}, summary), ...children, note);
  details.addEventListener('toggle', () => { state.open = details.open; });
  return details;
}

function noteFor(key) {
  const state = stateOf(key);
  const note = h('p', { class: 'hint', role: 'status' }, state.note);
  return [note, (text) => { state.note = text; setText(note, text); }];
}

export function embedCode(ev) {
  const title = t('orgrec_widget_title', { title: ev.title }).replace(/[\u2068\u2069]/g, '').replace(/"/g, '&quot;');
  return `<iframe src="${ev.widget_url}" title="${title}" width="400" height="480" loading="lazy" style="border:1px solid #c9ced6;border-radius:8px"></iframe>`;
}

function embedBox(id, code) {
  const note = h('span', { class: 'hint', role: 'status' });
  const area = h('textarea', { id, readonly: true, rows: 3, dir: 'ltr', onfocus: (e) => e.target.select() });
  area.value = code;
  const copy = async () => {
    let ok = false;
    try { await navigator.clipboard.writeText(code); ok = true; } catch {
      area.select();
      try { ok = document.execCommand('copy'); } catch { ok = false; }
    }
    setText(note, t(ok ? 'sch_copied' : 'sch_copy_failed'));
  };
  return h('div', { class: 'copybox' },
    h('label', { for: id }, t('orgrec_embed_label')),
    area,
    h('p', { class: 'hint' }, t('orgrec_embed_hint')),
    h('button', { type: 'button', id: `${id}-copy`, onclick: copy }, t('sch_copy')), ' ', note);
}

// ctx: { api } from the console.
export function recordPanel(ev, ctx) {
  const id = `rec-${ev.slug}`;
  const [note, sayHere] = noteFor(id);
  const url = h('input', { id: `${id}-url`, type: 'url', value: ev.recording_url || '', placeholder: 'https://', dir: 'ltr' });
  url.value = ev.recording_url || '';
  const start = h('input', { id: `${id}-start`, type: 'datetime-local', step: '1' });
  start.value = localValue(ev.recording_started_at);
  const send = async (body) => {
    try {
      const done = await ctx.api('POST', `/api/organiser/events/${encodeURIComponent(ev.slug)}/recording`, body);
      ev.recording_url = done.recording_url;
      ev.recording_started_at = done.recording_started_at;
      url.value = ev.recording_url || '';
      start.value = localValue(ev.recording_started_at);
      sayHere(t('orgrec_saved'));
    } catch (err) {
      if (err.status !== 401) sayHere(t('org_err_plain', { message: errorText(err) }));
    }
  };
  const recordUrl = new URL(`/e/${encodeURIComponent(ev.slug)}/record`, location.origin).href;
  return panel(id, t('orgrec_summary'), [
    h('p', {}, h('a', { href: recordUrl }, t('orgrec_open_record'))),
    h('p', { class: 'hint' }, t('orgrec_recording_hint')),
    h('div', { class: 'row' }, h('label', { for: url.id }, t('orgrec_recording_url')), url),
    h('div', { class: 'row' }, h('label', { for: start.id }, t('orgrec_recording_start', { zone: zoneLabel(viewerZone()) })), start),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', id: `${id}-save`, onclick: () => send({ recording_url: url.value.trim() || null, recording_started_at: isoValue(start.value) }) }, t('orgrec_save')),
      ev.recording_url ? h('button', { type: 'button', id: `${id}-remove`, onclick: () => send({ recording_url: null, recording_started_at: null }) }, t('orgrec_remove')) : null),
    ev.widget_url ? embedBox(`${id}-embed`, embedCode(ev)) : null,
  ], note);
}

export function licencePanel(s, ctx) {
  const id = `lic-${s.slug}`;
  const [note, sayHere] = noteFor(id);
  const name = h('input', { id: `${id}-name`, type: 'text', maxlength: '200', dir: 'auto' });
  name.value = (s.licence && s.licence.name) || '';
  const link = h('input', { id: `${id}-url`, type: 'url', placeholder: 'https://', dir: 'ltr' });
  link.value = (s.licence && s.licence.url) || '';
  const save = async () => {
    try {
      const done = await ctx.api('POST', `/api/organiser/series/${encodeURIComponent(s.slug)}/licence`, { licence_name: name.value.trim() || null, licence_url: link.value.trim() || null });
      s.licence = done.licence;
      sayHere(t('orgrec_saved'));
    } catch (err) {
      if (err.status !== 401) sayHere(t('org_err_plain', { message: errorText(err) }));
    }
  };
  return panel(id, t('orgrec_licence_summary'), [
    h('p', { class: 'hint' }, t('orgrec_licence_hint')),
    h('div', { class: 'row' }, h('label', { for: name.id }, t('orgrec_licence_name')), name),
    h('div', { class: 'row' }, h('label', { for: link.id }, t('orgrec_licence_url')), link),
    h('div', { class: 'buttons' }, h('button', { type: 'button', id: `${id}-save`, onclick: save }, t('orgrec_licence_save'))),
  ], note);
}
