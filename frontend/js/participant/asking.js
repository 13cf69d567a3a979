// Asking: the question box, its draft kept for this tab, and questions like it to upvote instead.
import { $, h, debounce, session, cleanText, charCount, setText } from '../dom.js';
import { t, num } from '../i18n.js';
import { wordingFor } from '../wordings.js';
import { answeredInLink } from '../series.js';
import { delegateOf, pendingVotes, voteState } from './support.js';
import { page, slug, state } from './state.js';

const MAX = 500;
const MIN = 3;
const draftKey = `townhall.draft.${slug}`;
const text = $('#text');

export function clearDraft() {
  text.value = '';
  session.set(draftKey, null);
  hideSimilar();
  renderCount();
}

$('#ask').addEventListener('submit', (e) => {
  e.preventDefault();
  const n = charCount(text.value);
  if (n < MIN) { page.say('too_short'); text.focus(); return; }
  if (n > MAX) { page.say('too_long', { max: num(MAX) }); text.focus(); return; }
  const onBehalf = !!delegateOf() && $('#ask-as-organisation').checked;
  state.live.send('submit_question', onBehalf ? { text: cleanText(text.value), as_organisation: true } : { text: cleanText(text.value) });
  clearDraft();
  page.say(state.live.online ? 'sending_question' : 'queued_question');
  page.render();
});

text.addEventListener('input', () => {
  session.set(draftKey, text.value || null);
  renderCount();
  findSimilar();
});

let similarAbort = null;
const findSimilar = debounce(async () => {
  const q = cleanText(text.value);
  if (similarAbort) similarAbort.abort();
  if ([...q].length < 8 || !navigator.onLine) { hideSimilar(); return; }
  similarAbort = new AbortController();
  try {
    const r = await fetch(`/api/events/${encodeURIComponent(slug)}/similar?text=${encodeURIComponent(q.slice(0, 500))}`, { signal: similarAbort.signal });
    if (!r.ok) { hideSimilar(); return; }
    showSimilar(((await r.json()).similar || []).slice(0, 4));
  } catch { /* aborted or offline: keep what is shown */ }
}, 300);

function hideSimilar() {
  if (similarAbort) similarAbort.abort();
  $('#similar').hidden = true;
  $('#similar-list').replaceChildren();
}

function showSimilar(list) {
  const want = pendingVotes();
  $('#similar').hidden = !list.length;
  $('#similar-list').replaceChildren(...list.map((s, i) => {
    const id = `sim-${i}`;
    if (s.answered_in) {
      // Answered in an earlier event of the series: a link to the answer, nothing to upvote.
      return h('li', { class: 'sim answered' },
        h('p', { id, class: 'q-text', dir: 'auto' }, s.text),
        h('p', { class: 'meta' }, answeredInLink(s.answered_in)));
    }
    const item = (state.body && [...state.body.open, state.body.now_answering].find((x) => x && x.id === s.id)) || { ...s, merged: [] };
    const already = voteState(item, want).on;
    const shown = wordingFor(item);
    return h('li', { class: 'sim' },
      h('p', { id, class: 'q-text', dir: 'auto', lang: shown.language }, shown.text),
      h('div', { class: 'row' },
        h('span', { class: 'meta' }, t('votes', { n: s.votes })),
        h('button', {
          type: 'button', class: 'secondary', 'aria-describedby': id,
          onclick: () => {
            if (!voteState(item, pendingVotes()).on) state.live.send('vote', { question_id: s.id });
            clearDraft();
            page.say('upvoted_instead');
            page.render();
          },
        }, t(already ? 'already_upvoted' : 'upvote_instead'))));
  }));
}

export function renderCount() {
  const n = charCount(text.value);
  const c = $('#count');
  setText(c, t('chars', { count: num(n), max: num(MAX) }));
  c.classList.toggle('over', n > MAX);
}

export function restoreDraft() {
  text.value = session.get(draftKey) || '';
}

// A refused question goes back into the box (unless something new was typed): never lose one.
export function keepRefused(action) {
  if (action && action.type === 'submit_question' && !text.value.trim()) {
    text.value = action.text;
    session.set(draftKey, action.text);
  }
}
