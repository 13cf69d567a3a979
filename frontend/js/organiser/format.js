// Dates, zones and names for the organiser console, in the page's language.
import { currentLang } from '../i18n.js';

export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
export const zoneLabel = (zone) => String(zone || '').replace(/_/g, ' ');
// Dates follow the page language, in the viewer's regional variant when it matches (en-GB: 24 h).
const locale = () => (navigator.languages || []).find((l) => l.toLowerCase().split('-')[0] === currentLang()) || currentLang();
export const list = (names) => new Intl.ListFormat(currentLang(), { type: 'conjunction' }).format(names);

export function when(ev, timeZone) {
  const opts = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };
  let f;
  try { f = new Intl.DateTimeFormat(locale(), { ...opts, timeZone }); } catch { f = new Intl.DateTimeFormat(locale(), opts); }
  const start = new Date(ev.starts_at);
  const end = new Date(ev.ends_at);
  return f.formatRange ? f.formatRange(start, end) : `${f.format(start)} – ${f.format(end)}`;
}

export function zoneOk(zone) {
  if (!zone) return false;
  try { new Intl.DateTimeFormat('en', { timeZone: zone }); return true; } catch { return false; }
}

export function languageName(tag) {
  try { return new Intl.DisplayNames([currentLang()], { type: 'language' }).of(tag) || tag; } catch { return tag; }
}
