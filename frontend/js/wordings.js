// A queue item is a group: its root question and the wordings merged into it, each with the
// language the dedup worker detected (null until then; docs/protocol.md, "snapshot and queue").
import { h } from './dom.js';
import { currentLang } from './i18n.js';

// Every wording of the group, the root first.
export const wordingsOf = (item) => [{ id: item.id, text: item.text, language: item.language }, ...(item.merged || [])];

// The wording a reader of `lang` sees: the organiser's own for a common question of the series,
// else the first in their language, else the root's.
export function wordingFor(item, lang = currentLang()) {
  const own = item.common && item.common.texts && item.common.texts[lang];
  if (own) return { id: item.id, text: own, language: lang };
  const all = wordingsOf(item);
  return all.find((w) => w.language === lang) || all[0];
}

// How many languages the group was asked in (undetected wordings do not count).
export const languageCount = (item) => new Set(wordingsOf(item).map((w) => w.language).filter(Boolean)).size;

// The language's name in the page's language ("espagnol" on a French page), else its code.
export function languageName(code, lang = currentLang()) {
  try { return new Intl.DisplayNames([lang], { type: 'language' }).of(code) || code; } catch { return code; }
}

// A small tag naming a wording's language: the code is shown, its name is read out. The tag
// has its own `dir` and `lang`, so a `dir="auto"` line around it still takes its direction
// from the question's text, not from the tag.
export function languageTag(code) {
  if (!code) return null;
  const lang = currentLang();
  return h('span', { class: 'lang-tag', dir: document.documentElement.dir || 'ltr', lang, 'data-language': code },
    h('span', { 'aria-hidden': 'true' }, code.toUpperCase()),
    h('span', { class: 'sr' }, ` (${languageName(code, lang)})`));
}
