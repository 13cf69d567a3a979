// A series' record: /s/{slug}/record. The common questions as rows, the events (their
// candidates) as columns, each cell answered at a time with a link into that event's record.
import { $, h, setText, userText, slugFromPath } from './dom.js';
import { t, startI18n, currentLang } from './i18n.js';

const slug = slugFromPath();
let record = null;
let problem = null; // 'missing' | 'failed'

const list = (names) => new Intl.ListFormat(currentLang(), { type: 'conjunction' }).format(names);
const moment = (iso) => new Intl.DateTimeFormat(currentLang(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
const day = (iso) => new Intl.DateTimeFormat(currentLang(), { dateStyle: 'long' }).format(new Date(iso));

// The organiser's wording in the page's language, else as written.
function wording(question) {
  const lang = currentLang();
  const own = question.texts && question.texts[lang];
  if (own) return { text: own, lang };
  const written = Object.entries(question.texts || {}).find(([, text]) => text === question.text);
  return { text: question.text, lang: written ? written[0] : null };
}

function header(ev) {
  return h('th', { scope: 'col', id: `col-${ev.slug}` },
    h('span', { class: 'title', dir: 'auto' }, ev.title),
    ev.candidates.length ? h('span', { class: 'muted block' }, list(ev.candidates)) : null);
}

function cell(answer) {
  if (!answer.answered_at) return h('td', { class: 'not-reached' }, t('series_record_not_reached'));
  return h('td', { class: 'answered' },
    h('a', { href: answer.url }, h('time', { datetime: answer.answered_at }, t('series_record_answered', { time: moment(answer.answered_at) }))));
}

function render() {
  const msg = $('#msg');
  msg.hidden = !!record && !problem;
  if (problem) setText(msg, t(problem === 'missing' ? 'series_record_unknown' : 'series_record_failed'));
  else if (!record) setText(msg, t('series_record_loading'));
  if (!record) return;

  document.title = `${record.series.title} · ${t('series_record_title')}`;
  userText($('#title'), record.series.title);
  $('#schedule').href = `/s/${encodeURIComponent(record.series.slug)}`;
  const { events } = record;
  const questions = record.common_questions;
  $('#common-box').hidden = false;
  $('#common-none').hidden = questions.length > 0;
  $('#grid-wrap').hidden = !questions.length;
  $('#grid').replaceChildren(
    h('caption', { class: 'sr' }, t('series_record_heading')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('series_record_question')), ...events.map(header))),
    h('tbody', {}, ...questions.map((q) => {
      const shown = wording(q);
      return h('tr', {},
        h('th', { scope: 'row', dir: 'auto', lang: shown.lang }, shown.text),
        ...q.answers.map(cell));
    })));
  $('#events-box').hidden = false;
  $('#events').replaceChildren(...events.map((ev) => h('li', { class: 'card event' },
    h('h3', {}, h('span', { class: 'title', dir: 'auto' }, ev.title)),
    h('p', { class: 'meta' },
      h('span', { class: 'badge', 'data-status': ev.status }, t(`status_${ev.status}`)), ' ',
      h('time', { datetime: ev.starts_at }, day(ev.starts_at))),
    ev.candidates.length ? h('p', {}, t('with_candidates', { names: list(ev.candidates) })) : null,
    h('p', {}, h('a', { href: ev.record_url }, t('series_record_event_link'))))));
}

async function load() {
  try {
    const r = await fetch(`/api/series/${encodeURIComponent(slug)}/record`, { headers: { Accept: 'application/json' } });
    if (r.status === 404) { problem = 'missing'; record = null; return; }
    if (!r.ok) throw new Error(String(r.status));
    record = await r.json();
    problem = null;
  } catch {
    if (!record) problem = 'failed';
  }
}

async function main() {
  await startI18n(render);
  await load();
  render();
}

main();
