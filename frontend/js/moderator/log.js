// The moderation log in the console: entries are stored as codes (action names, states, ids)
// and told in the reader's language; read again at most every 3 s.
import { $, h, throttle } from '../dom.js';
import { t, percent, currentLang } from '../i18n.js';

function logAction(action) {
  const text = t(`log_${action}`);
  return text === `log_${action}` ? t('log_other', { action }) : text;
}
const status = (value) => (t(`qstatus_${value}`) === `qstatus_${value}` ? String(value) : t(`qstatus_${value}`));
function logDetail(d) {
  const parts = [];
  if (d.before && d.after) parts.push(t('log_moved', { before: status(d.before), after: status(d.after) }));
  if (d.into != null) parts.push(t('log_into', { id: d.into }));
  if (d.from != null) parts.push(t('log_from', { id: d.from }));
  if (d.other != null) parts.push(t('log_kept_from', { id: d.other }));
  if (typeof d.votes === 'number') parts.push(t('votes', { n: d.votes }));
  return parts.join(' · ');
}
export function moderationLog(slug, key) {
  return throttle(async () => {
    try {
      const r = await fetch(`/api/events/${encodeURIComponent(slug)}/log`, { headers: { Authorization: `Bearer ${key()}` } });
      if (!r.ok) return;
      const entries = (await r.json()).entries || [];
      const fmt = new Intl.DateTimeFormat(currentLang(), { hour: 'numeric', minute: '2-digit', second: '2-digit' });
      const recent = entries.slice(-100).reverse();
      $('#log').replaceChildren(...recent.map((x) => {
        const detail = logDetail(x.detail && typeof x.detail === 'object' ? x.detail : {});
        return h('li', {},
          h('time', { datetime: x.at }, fmt.format(new Date(x.at))), ' ',
          h('strong', {}, logAction(x.action)), x.question_id != null ? ` #${x.question_id}` : '',
          x.score != null ? ` (${percent(x.score)})` : '',
          detail ? `: ${detail}` : '',
          h('span', { class: 'muted' }, ' — ', t('log_by', { actor: x.actor })));
      }));
      $('#log-empty').hidden = recent.length > 0;
    } catch { /* offline: try again on the next update */ }
  }, 3000);
}
