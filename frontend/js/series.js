// Across a series (docs/protocol.md): where a question was already answered, and the mark of
// the series' common question.
import { h } from './dom.js';
import { t, currentLang } from './i18n.js';

// First-strong isolates around user text inside a translated sentence (an Arabic title in an
// English sentence, or the other way round).
export const isolate = (text) => `\u2068${text}\u2069`;

export function day(iso) {
  return new Intl.DateTimeFormat(currentLang(), { dateStyle: 'long' }).format(new Date(iso));
}

// "Answered on 12 May 2026 in {event title}", a link to that question in the event's record.
export function answeredInLink(found) {
  const sentence = t('answered_earlier', { date: found.at ? day(found.at) : '…', event: isolate(found.title) });
  return h('a', { href: found.url, class: 'answered-in' }, sentence);
}

export const commonTag = () => h('span', { class: 'common-tag' }, t('common_question'));
