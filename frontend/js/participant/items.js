// One question of the queue (or of the answered list): its wording, counts, other wordings,
// endorsement and vote buttons.
import { h, setText, userText } from '../dom.js';
import { t, num } from '../i18n.js';
import { wordingFor, wordingsOf, languageCount } from '../wordings.js';
import { commonTag } from '../series.js';
import { askedBy, endorsementBadge } from '../organisations.js';
import { delegateOf, endorseState, inGroup, toggleEndorsement, toggleVote, voteState } from './support.js';
import { state as shared } from './state.js';

export function createItem(votable) {
  return (item) => {
    const li = h('li', { class: 'q' },
      h('div', { class: 'q-body' },
        h('p', { class: 'q-text' }),
        h('p', { class: 'meta' }),
        h('ul', { class: 'merged' }),
        h('button', { type: 'button', class: 'endorse secondary', hidden: true, onclick: () => toggleEndorsement(li._item) })));
    if (votable) {
      li.append(h('button', { type: 'button', class: 'vote', onclick: () => toggleVote(li._item) },
        h('span', { 'aria-hidden': 'true', class: 'arrow' }, '▲'),
        h('span', { class: 'n', 'aria-hidden': 'true' })));
    }
    return li;
  };
}

export function updateItem(li, item, want) {
  li._item = item;
  // The group in the reader's language when one of its wordings is; votes still go to item.id.
  const shown = wordingFor(item);
  userText(li.querySelector('.q-text'), shown.text, shown.language);
  li.dataset.wording = shown.id;
  const state = want ? voteState(item, want) : { on: false, votes: item.votes };
  const meta = li.querySelector('.meta');
  const parts = [];
  if (item.common) parts.push(commonTag());
  if (inGroup(shared.mine, item)) parts.push(h('span', { class: 'mine' }, t('yours')));
  parts.push(h('span', {}, t('votes', { n: state.votes })));
  if (item.asked_by > 1) parts.push(h('span', {}, t('asked_by', { n: item.asked_by })));
  const languages = languageCount(item);
  if (languages > 1) parts.push(h('span', { class: 'languages' }, t('asked_in_languages', { n: languages })));
  parts.push(...askedBy(item));
  const badge = endorsementBadge(item);
  if (badge) parts.push(badge);
  meta.replaceChildren(...parts);
  const endorse = li.querySelector('.endorse');
  const organisation = delegateOf();
  endorse.hidden = !organisation;
  if (organisation) {
    const on = endorseState(item);
    endorse.setAttribute('aria-pressed', String(on));
    setText(endorse, t(on ? 'withdraw_endorsement' : 'endorse_as', { organisation }));
  }
  const merged = li.querySelector('.merged');
  const others = wordingsOf(item).filter((w) => w.id !== shown.id);
  merged.replaceChildren(...others.map((w) => h('li', { dir: 'auto', lang: w.language }, w.text)));
  merged.hidden = !others.length;
  if (others.length) merged.setAttribute('aria-label', t('also_asked_as'));
  const btn = li.querySelector('.vote');
  if (btn) {
    btn.setAttribute('aria-pressed', String(state.on));
    // The name holds the visible count too (WCAG 2.5.3, label in name).
    const votes = t('votes', { n: state.votes });
    btn.setAttribute('aria-label', t(state.on ? 'remove_upvote' : 'upvote', { text: shown.text, votes }));
    setText(btn.querySelector('.n'), num(state.votes));
  }
}
