// The event form's people and languages: candidates and moderators to tick (and to add to the
// lists), the languages of the event.
import { $, h, setText } from '../dom.js';
import { t } from '../i18n.js';
import { errorText } from './forms.js';
import { languageName } from './format.js';
import { api, loadPeople, say, state } from './state.js';

const LANGUAGES = ['en', 'fr', 'es', 'ar', 'zh', 'ru']; // the six official UN languages

export function checkedValues(sel) {
  return [...$(sel).querySelectorAll('input:checked')].map((i) => i.value);
}

function checks(sel, prefix, items, chosen) {
  const want = new Set(chosen);
  $(sel).replaceChildren(...items.map(([value, label], i) => h('li', {},
    h('input', { type: 'checkbox', id: `${prefix}-${i}`, value, checked: want.has(value) }),
    h('label', { for: `${prefix}-${i}`, dir: 'auto' }, label))));
}

export function renderPeople(chosenCandidates = checkedValues('#ef-candidates'), chosenModerators = checkedValues('#ef-moderators')) {
  const cands = state.people.candidates.map((c) => [c.name, c.country ? `${c.name} (${c.country})` : c.name]);
  const mods = state.people.moderators.map((m) => [m.name, m.name]);
  // Names on the event that are no longer listed stay visible, so an edit does not drop them.
  for (const n of chosenCandidates) if (!cands.some(([v]) => v === n)) cands.push([n, n]);
  for (const n of chosenModerators) if (!mods.some(([v]) => v === n)) mods.push([n, n]);
  checks('#ef-candidates', 'cand', cands, chosenCandidates);
  checks('#ef-moderators', 'mod', mods, chosenModerators);
  setEmptyNote('#ef-candidates', cands.length, 'org_no_candidates');
  setEmptyNote('#ef-moderators', mods.length, 'org_no_moderators');
}

function setEmptyNote(sel, count, key) {
  if (!count) $(sel).replaceChildren(h('li', { class: 'muted' }, t(key)));
}

export function renderLanguages(chosen) {
  const tags = [...LANGUAGES, ...chosen.filter((tag) => !LANGUAGES.includes(tag))];
  checks('#ef-languages', 'lang', tags.map((tag) => [tag, languageName(tag)]), chosen);
}

export async function addPerson(details) {
  const kind = details.dataset.kind;
  const [nameInput, extraInput] = details.querySelectorAll('input');
  const alertEl = details.querySelector('[role=alert]');
  const name = nameInput.value.trim();
  nameInput.removeAttribute('aria-invalid');
  if (!name) {
    setText(alertEl, t('org_fe_name'));
    nameInput.setAttribute('aria-invalid', 'true');
    nameInput.focus();
    return;
  }
  const extra = extraInput.value.trim() || null;
  const body = kind === 'candidate' ? { name, country: extra } : { name, email: extra };
  try {
    const saved = await api('POST', `/api/organiser/${kind}s`, body);
    setText(alertEl, '');
    nameInput.value = '';
    extraInput.value = '';
    const cands = checkedValues('#ef-candidates');
    const mods = checkedValues('#ef-moderators');
    await loadPeople();
    (kind === 'candidate' ? cands : mods).push(saved.name);
    renderPeople(cands, mods);
    say(kind === 'candidate' ? 'org_candidate_added' : 'org_moderator_added', { name: saved.name });
    nameInput.focus();
  } catch (err) {
    if (err.status === 401) return;
    setText(alertEl, err.error.code === 'duplicate' ? t('org_err_duplicate', { name }) : errorText(err));
    nameInput.setAttribute('aria-invalid', 'true');
    nameInput.focus();
  }
}
