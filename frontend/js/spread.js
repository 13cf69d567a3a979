// Regional balance (moderator console only): how each question's support spreads across M49
// regions, UN regional groups and stakeholder groups, from GET /api/events/{slug}/spread
// (re-read at most every 2 s while the queue changes), and the queue's order switch: most
// votes, or support from the most regions (the server's order, townhall/domain/spread.py).
// No count below the privacy threshold ever arrives here: small cells come folded in "other".
import { $, h, setText, throttle } from './dom.js';
import { t, num, currentLang } from './i18n.js';

const ORDER = 'townhall.modorder';
const GROUP_KEYS = {
  'African Group': 'group_african',
  'Asia-Pacific Group': 'group_asia_pacific',
  'Eastern European Group': 'group_eastern_european',
  'Latin American and Caribbean Group': 'group_latin_american_caribbean',
  'Western European and Others Group': 'group_western_european_others',
};

let ctx = null; // { slug, key: () => string, rerender: () => void }
let data = null; // the last spread read: { threshold, questions, order_by_regions }
let byId = new Map();
let order = 'votes';

try { order = localStorage.getItem(ORDER) === 'regions' ? 'regions' : 'votes'; } catch { /* no storage */ }

export function setupSpread(options) {
  ctx = options;
  for (const [id, value] of [['#order-votes', 'votes'], ['#order-regions', 'regions']]) {
    $(id).addEventListener('click', () => {
      order = value;
      try { localStorage.setItem(ORDER, value); } catch { /* no storage */ }
      ctx.rerender();
      loadSpread();
    });
  }
}

export const loadSpread = throttle(async () => {
  try {
    const r = await fetch(`/api/events/${encodeURIComponent(ctx.slug)}/spread`, { headers: { Authorization: `Bearer ${ctx.key()}` } });
    if (!r.ok) return;
    data = await r.json();
    byId = new Map(data.questions.map((q) => [q.id, q]));
    ctx.rerender();
  } catch { /* offline: the next queue update tries again */ }
}, 2000);

// The open queue in the chosen order. Questions newer than the last read keep their place by
// votes after the ordered ones (Array.prototype.sort is stable).
export function orderedOpen(open) {
  if (order !== 'regions' || !data) return open;
  const at = new Map(data.order_by_regions.map((id, i) => [id, i]));
  const place = (item) => (at.has(item.id) ? at.get(item.id) : at.size);
  // The series' common questions stay on top, as the server orders them.
  const first = (item) => (item.common ? 0 : 1);
  return [...open].sort((a, b) => first(a) - first(b) || place(a) - place(b));
}

export function renderOrderSwitch() {
  $('#order-votes').setAttribute('aria-pressed', String(order === 'votes'));
  $('#order-regions').setAttribute('aria-pressed', String(order === 'regions'));
  const note = $('#order-note');
  note.hidden = order !== 'regions';
  if (data) setText(note, t('order_regions_note', { min: num(data.threshold) }));
}

const cellName = (kind, key) => {
  if (key === 'other') return t('spread_other');
  if (kind === 'region') return t(`region_${key.toLowerCase()}`);
  if (kind === 'group') return GROUP_KEYS[key] ? t(GROUP_KEYS[key]) : key;
  return t(`stakeholder_${key}`);
};
const cells = (kind, list) => list.map((c) => t('spread_cell', { name: cellName(kind, c.key), n: c.supporters })).join(' · ');

// "Support from 2 regions: Africa: 12 · Europe: 7" (also on the public record's questions).
export const regionLine = (spread, threshold, none = 'spread_none') => (spread && spread.by_region.length
  ? `${t('spread_regions', { n: spread.regions })}: ${cells('region', spread.by_region)}`
  : t(none, { min: num(threshold) }));

export function renderSpread(li, item) {
  let box = li.querySelector(':scope > .q-body > .spread');
  if (!box) {
    box = h('div', { class: 'spread' },
      h('p', { class: 'spread-line' }),
      h('div', { class: 'spread-bar', 'aria-hidden': 'true' }),
      h('details', { class: 'spread-more' },
        h('summary', {}),
        h('p', { class: 'spread-groups' }),
        h('p', { class: 'spread-stakeholders' })));
    li.querySelector('.q-body').append(box);
  }
  const spread = byId.get(item.id);
  const sig = `${JSON.stringify(spread || null)}|${data ? data.threshold : ''}|${currentLang()}`;
  if (box.dataset.sig === sig) return;
  box.dataset.sig = sig;
  box.hidden = !data;
  if (!data) return;
  const line = box.querySelector('.spread-line');
  const regions = spread ? spread.by_region : [];
  setText(line, regionLine(spread, data.threshold));
  const total = spread ? spread.supporters : 0;
  box.querySelector('.spread-bar').replaceChildren(...regions.map((c) => h('span', {
    class: `seg-${c.key.toLowerCase()}`,
    'data-share': total ? String(Math.round((100 * c.supporters) / total)) : '0',
  })));
  for (const span of box.querySelectorAll('.spread-bar > span')) span.style.inlineSize = `${span.dataset.share}%`;
  const more = box.querySelector('.spread-more');
  more.hidden = !spread;
  setText(more.querySelector('summary'), t('spread_more'));
  const groups = spread ? spread.by_group : [];
  const people = spread ? spread.by_stakeholder : [];
  setText(more.querySelector('.spread-groups'), `${t('spread_groups')}: ${groups.length ? cells('group', groups) : '–'}`);
  setText(more.querySelector('.spread-stakeholders'), `${t('spread_stakeholders')}: ${people.length ? cells('stakeholder', people) : '–'}`);
}
