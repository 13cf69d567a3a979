// Organisations on question cards (docs/protocol.md, "Organisations"): who asked on an
// organisation's behalf, and endorsements, which are counted apart from votes and never added
// to them. Shared by the participant page, the moderator console and the stage screen.
import { h } from './dom.js';
import { t, currentLang } from './i18n.js';

// A sentence of the page's language around a name of any script: the sentence carries the
// page's `lang` and direction, the name a <bdi dir="auto"> of its own, so neither reorders the
// other (an Arabic name in a French sentence, a Latin one in Arabic).
function sentenceWithName(key, vars, name) {
  const mark = '\u0000';
  const [before, after = ''] = t(key, { ...vars, organisation: mark }).split(mark);
  return h('span', { class: 'org', lang: currentLang(), dir: document.documentElement.dir || 'ltr' },
    before, h('bdi', { dir: 'auto', class: 'org-name' }, name), after);
}

// "asked by Oxfam": every organisation that asked a wording of the group (its name stays on
// the group when its question is merged with others).
export function askedBy(item) {
  const names = item.organisations || [];
  return names.map((name) => sentenceWithName('asked_by_organisation', {}, name));
}

// "endorsed by 12 organisations from 5 regions", or '' when none endorse.
export function endorsementText(item) {
  const e = item.endorsements;
  if (!e || !e.organisations) return '';
  const parts = [t('endorsed_by', { n: e.organisations })];
  if (e.regions) parts.push(t('endorsed_regions', { n: e.regions }));
  return parts.join(t('endorsed_joiner'));
}

export function endorsementBadge(item) {
  const text = endorsementText(item);
  return text ? h('span', { class: 'endorsed' }, text) : null;
}

// UN M49 regions, by name as the server sends them (Chromium's Intl has no names for M49's
// numeric codes, so the catalogues hold them).
export function regionName(region) {
  const key = `region_${String(region).toLowerCase()}`;
  const name = t(key);
  return name === key ? region : name;
}

// Moderators see which organisations endorse (and from where); public screens the counts.
export function endorsersList(item) {
  const e = item.endorsements;
  if (!e || !e.names || !e.names.length) return null;
  const regions = (e.region_names || []).map((r) => regionName(r)).join(', ');
  return h('p', { class: 'meta endorsers' },
    h('span', {}, t('endorsed_by_names')),
    ' ',
    ...e.names.flatMap((name, i) => [i ? ', ' : '', h('bdi', { dir: 'auto', class: 'org-name' }, name)]),
    regions ? ` (${regions})` : '');
}
