// "About you (optional)" on the participant page: a country (ISO 3166-1, named in the reader's
// language by Intl.DisplayNames) and a stakeholder group, sent with the set_profile action.
// Only counts per region and group reach moderators, never a small one (docs/security.md).
// What was saved is kept in localStorage beside the participant cookie of this browser.
import { $, h, setText } from './dom.js';
import { t, explain, currentLang } from './i18n.js';
import { COUNTRIES } from './countries.js';

const SAVED = 'townhall.profile';
const GROUPS = ['civil_society', 'academia', 'private_sector', 'government', 'international_organisation', 'media', 'youth', 'other'];

let send = null;
let note = null; // [key] or [null, refusal], kept so a language switch translates it again

function saved() {
  try { return JSON.parse(localStorage.getItem(SAVED)) || {}; } catch { return {}; }
}

function remember(profile) {
  try { localStorage.setItem(SAVED, JSON.stringify(profile)); } catch { /* no storage */ }
}

function countryNames() {
  let names = null;
  try { names = new Intl.DisplayNames([currentLang()], { type: 'region', fallback: 'code' }); } catch { /* old browser */ }
  const named = COUNTRIES.map((code) => [code, (names && names.of(code)) || code]);
  const collator = new Intl.Collator(currentLang());
  return named.sort((a, b) => collator.compare(a[1], b[1]));
}

function fill() {
  const country = $('#profile-country');
  const group = $('#profile-group');
  // The first fill shows what was saved; later ones (a language switch) keep the choice.
  const [keepCountry, keepGroup] = country.options.length ? [country.value, group.value] : [saved().country, saved().stakeholder_group];
  country.replaceChildren(
    h('option', { value: '' }, t('profile_not_given')),
    ...countryNames().map(([code, name]) => h('option', { value: code }, name)));
  group.replaceChildren(
    h('option', { value: '' }, t('profile_not_given')),
    ...GROUPS.map((g) => h('option', { value: g }, t(`stakeholder_${g}`))));
  country.value = keepCountry || '';
  group.value = keepGroup || '';
  const msg = $('#profile-msg');
  setText(msg, note ? (note[0] ? t(note[0]) : explain(note[1])) : '');
  msg.classList.toggle('error', Boolean(note && !note[0]));
}

export function setupProfile(options) {
  send = options.send;
  fill();
  $('#profile').addEventListener('submit', (e) => {
    e.preventDefault();
    note = null;
    send('set_profile', {
      country: $('#profile-country').value || null,
      stakeholder_group: $('#profile-group').value || null,
    });
    fill();
  });
}

export function retranslateProfile() { fill(); }

export function profileSaved(result) {
  remember({ country: result.country, stakeholder_group: result.stakeholder_group });
  note = ['profile_saved'];
  fill();
}

export function profileRefused(refusal) {
  note = [null, refusal];
  fill();
}
