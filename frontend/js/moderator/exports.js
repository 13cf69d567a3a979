// The stage screen's link and the exports (CSV, JSON) of the moderator console. Wires the
// export buttons; returns what fetches the keyed stage link once the key is known.
import { $, h } from '../dom.js';

export function stageAndExports(slug, key, say) {
  $('#stage-link').href = `/e/${encodeURIComponent(slug)}/stage`;
  // The stage screen with the event's stage key (never the moderator key: it is shown on a
  // projector) shows the hall's QR code with a venue token and a join-code event's code.
  async function loadStageLink() {
    try {
      const r = await fetch(`/api/events/${encodeURIComponent(slug)}/venue`, { headers: { Authorization: `Bearer ${key()}` } });
      if (r.ok) $('#stage-link').href = (await r.json()).stage_url;
    } catch { /* offline: the plain stage screen link stays */ }
  }

  async function download(kind) {
    try {
      const r = await fetch(`/api/events/${encodeURIComponent(slug)}/export.${kind}`, { headers: { Authorization: `Bearer ${key()}` } });
      if (!r.ok) { say('refused_internal'); return; }
      const link = h('a', { href: URL.createObjectURL(await r.blob()), download: `${slug}-questions.${kind}` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch { say('refused_internal'); }
  }
  $('#export-csv').addEventListener('click', () => download('csv'));
  $('#export-json').addEventListener('click', () => download('json'));
  return loadStageLink;
}
