// Where support comes from (moderator console only): the burst flag on each queue item and,
// on demand, the breakdown from GET /api/events/{slug}/questions/{id}/support, with "set
// aside" and "restore" as actions. Participants' pages never load this module.
import { h, setText } from './dom.js';
import { t, num, percent, currentLang } from './i18n.js';

let ctx = null; // { slug, key: () => string, act: (type, fields) => void, rerender: () => void }
const open = new Map(); // question id -> breakdown (null while loading, 'failed' on error)

export function setupSupport(options) { ctx = options; }

const pct = percent;
const time = (iso) => new Intl.DateTimeFormat(currentLang(), { hour: 'numeric', minute: '2-digit', second: '2-digit' }).format(new Date(iso));

async function load(id) {
  try {
    const r = await fetch(`/api/events/${encodeURIComponent(ctx.slug)}/questions/${id}/support`, { headers: { Authorization: `Bearer ${ctx.key()}` } });
    if (open.has(id)) open.set(id, r.ok ? await r.json() : 'failed');
  } catch {
    if (open.has(id)) open.set(id, 'failed');
  }
  ctx.rerender();
}

function toggle(id) {
  if (open.has(id)) open.delete(id);
  else { open.set(id, null); load(id); }
  ctx.rerender();
}

// After a set-aside or restore is acknowledged: every open breakdown is read again.
export function refreshSupport() {
  for (const id of open.keys()) load(id);
}

export function renderSupport(li, item) {
  let box = li.querySelector(':scope > .q-body > .support');
  if (!box) {
    box = h('div', { class: 'support' },
      h('span', { class: 'badge flag', role: 'status', hidden: true }),
      h('button', { type: 'button', class: 'small support-toggle', 'aria-expanded': 'false', onclick: () => toggle(li._item.id) }),
      h('div', { class: 'support-panel', hidden: true }));
    li.querySelector('.q-body').append(box);
  }
  const flag = box.querySelector('.flag');
  flag.hidden = !item.support_flag;
  if (item.support_flag) setText(flag, t(`burst_${item.support_flag}`));
  const button = box.querySelector('.support-toggle');
  setText(button, t('support_show'));
  button.setAttribute('aria-label', `${t('support_show')}: #${item.id}`);
  const shown = open.has(item.id);
  button.setAttribute('aria-expanded', String(shown));
  const panel = box.querySelector('.support-panel');
  panel.hidden = !shown;
  if (shown) fill(panel, item.id, open.get(item.id));
}

function fill(panel, id, data) {
  const sig = `${JSON.stringify(data)}|${currentLang()}`;
  if (panel.dataset.sig === sig) return;
  panel.dataset.sig = sig;
  if (data == null) { panel.replaceChildren(h('p', { class: 'muted' }, t('support_loading'))); return; }
  if (data === 'failed') { panel.replaceChildren(h('p', { class: 'muted' }, t('support_failed'))); return; }
  const aside = (fields) => ctx.act('set_aside_support', { question_id: id, ...fields });
  const burst = data.burst;
  panel.replaceChildren(
    h('p', {}, t('support_summary', { n: data.supporters, share: pct(data.new_share), minutes: num(data.rules.new_identity_minutes) })),
    h('p', {}, t('support_rate', { rate: num(data.per_minute), minutes: num(data.rules.window_minutes) })),
    burst ? h('p', { class: 'burst' },
      h('strong', {}, t(`burst_${burst.reason}`)), ' ',
      t('burst_votes', { n: burst.votes, total: num(burst.window_votes) }),
      h('button', { type: 'button', class: 'small primary set-aside-burst', onclick: () => aside({ ...(burst.network ? { network: burst.network } : {}), since: data.window_since, new_only: true }) }, t('set_aside_burst'))) : null,
    data.top_networks.length ? h('p', { class: 'meta' }, t('support_networks')) : null,
    h('ul', { class: 'plain networks' }, ...data.top_networks.map((n) => h('li', {},
      h('code', {}, n.network.slice(0, 8)), ' ',
      t('support_network', { n: n.votes, share: pct(n.share), fresh: num(n.new_identities) }),
      h('button', { type: 'button', class: 'small', 'aria-label': `${t('set_aside_network')}: ${n.network.slice(0, 8)}`, onclick: () => aside({ network: n.network }) }, t('set_aside_network'))))),
    data.set_asides.length ? h('p', { class: 'meta' }, t('set_asides_heading')) : null,
    h('ul', { class: 'plain set-asides' }, ...data.set_asides.map((s) => h('li', {},
      t('set_aside_entry', { n: s.votes, at: time(s.at) }),
      s.restored_at
        ? h('span', { class: 'muted' }, ` — ${t('set_aside_restored', { at: time(s.restored_at) })}`)
        : h('button', { type: 'button', class: 'small restore-support', onclick: () => ctx.act('restore_support', { set_aside_id: s.id }) }, t('restore_support'))))));
}
