// Common questions of a series: one question put to every candidate, in the languages the
// organiser gives; each event of the series carries it at the top of its queue.
import { h, setText } from '../dom.js';
import { t } from '../i18n.js';
import { languageName } from './format.js';
import { errorText } from './forms.js';

const LANGUAGES = ['en', 'fr', 'es', 'ru', 'zh', 'ar'];

// ctx: { api, say } from the console. The list is read when the block is opened.
export function commonBlock(s, ctx) {
  const slug = encodeURIComponent(s.slug);
  const path = `/api/organiser/series/${slug}/common-questions`;
  const alertEl = h('p', { class: 'error', role: 'alert', id: `cq-err-${s.slug}` });
  const listEl = h('ul', { class: 'plain common-list' });
  const show = (found) => {
    listEl.replaceChildren(...found.map((q) => h('li', {},
      h('span', { dir: 'auto' }, q.text),
      ...Object.entries(q.texts).filter(([, text]) => text !== q.text).map(([lang, text]) =>
        h('span', { class: 'muted' }, ' · ', h('span', { dir: 'auto', lang }, text))))));
    if (!found.length) listEl.replaceChildren(h('li', { class: 'muted' }, t('common_none')));
  };
  const load = async () => {
    try { show((await ctx.api('GET', path)).common_questions); } catch (err) { if (err.status !== 401) setText(alertEl, errorText(err)); }
  };
  const inputs = LANGUAGES.map((lang) => h('textarea', {
    id: `cq-${s.slug}-${lang}`, lang, dir: 'auto', rows: '2', maxlength: '500', 'aria-describedby': alertEl.id,
  }));
  const add = async (e) => {
    e.preventDefault();
    setText(alertEl, '');
    const texts = {};
    LANGUAGES.forEach((lang, i) => { if (inputs[i].value.trim()) texts[lang] = inputs[i].value.trim(); });
    if (!Object.keys(texts).length) { setText(alertEl, t('refused_invalid_text')); inputs[0].focus(); return; }
    try {
      await ctx.api('POST', path, { texts });
    } catch (err) {
      if (err.status !== 401) setText(alertEl, errorText(err));
      return;
    }
    for (const input of inputs) input.value = '';
    ctx.say('common_added');
    await load();
  };
  const form = h('form', { class: 'common-form', novalidate: true, onsubmit: add },
    ...LANGUAGES.map((lang, i) => h('p', {},
      h('label', { for: inputs[i].id }, t('common_wording', { language: languageName(lang) })), inputs[i])),
    h('button', { type: 'submit', class: 'small' }, t('common_add')));
  const details = h('details', { class: 'common' },
    h('summary', {}, t('common_heading')),
    h('p', { class: 'hint' }, t('common_intro'), ' ', h('a', { href: `/s/${slug}/record` }, t('series_record_title'))),
    listEl, alertEl, form);
  details.addEventListener('toggle', () => { if (details.open) load(); });
  return details;
}
