// The stage screen: the question being answered in large type, the next few, and how to join.
import { $, h, setText, slugFromPath } from './dom.js';
import { startI18n, t } from './i18n.js';
import { connectLive } from './live.js';

const NEXT = 5;
const slug = slugFromPath();
let last = null;

function render(state) {
  last = state;
  setText($('#stage-event'), state.event.title);
  const code = state.event.code;
  setText($('#stage-code'), code || '');
  const now = state.now_answering;
  $('#stage-now').replaceChildren(
    now
      ? h('p', { class: 'stage-question' }, now.text)
      : h('p', { class: 'stage-question muted' }, t('nothing_answering')),
    ...(now ? [h('p', { class: 'stage-votes' }, t('votes', { n: now.votes }))] : []),
  );
  $('#stage-queue').replaceChildren(
    ...state.open.slice(0, NEXT).map((item) =>
      h('li', {}, item.text, ' ', h('span', { class: 'count' }, `(${t('votes', { n: item.votes })})`)),
    ),
  );
}

async function main() {
  await startI18n(() => last && render(last));
  const link = `${location.origin}/e/${encodeURIComponent(slug)}`;
  const qr = $('#stage-qr');
  qr.src = `/e/${encodeURIComponent(slug)}/qr.svg`;
  qr.alt = t('stage_qr_alt', { link });
  setText($('#stage-link'), link);
  connectLive({ slug, on: { snapshot: render, queue: render } });
}

main();
