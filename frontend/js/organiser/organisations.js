// The organisations of a series (docs/integrity.md, "Organisations"): profiles kept for every
// event of the series (name, country, stakeholder group, website); each event's panel invites
// them and gives their delegates links (organiser/access.js).
import { h, setText } from '../dom.js';
import { t, currentLang } from '../i18n.js';
import { errorText, fieldOf } from './forms.js';

export const GROUPS = ['civil_society', 'academia', 'private_sector', 'government', 'international_organisation', 'media', 'youth', 'other'];

// Per series, kept across re-renders of the console.
const blocks = new Map();
export function seriesOrganisations(slug) {
  if (!blocks.has(slug)) blocks.set(slug, { open: false, list: null, editing: null, note: '', draft: null });
  return blocks.get(slug);
}

const path = (slug) => `/api/organiser/series/${encodeURIComponent(slug)}/organisations`;

export async function loadOrganisations(slug, api) {
  const state = seriesOrganisations(slug);
  state.list = (await api('GET', path(slug))).organisations;
  return state.list;
}

// "KE" -> "Kenya" in the reader's language (Intl.DisplayNames), else the code.
export function countryName(code) {
  if (!code) return '';
  try { return new Intl.DisplayNames([currentLang()], { type: 'region' }).of(code) || code; } catch { return code; }
}

// One line of profile: country, stakeholder group, website (a plain link, http or https only).
export function profileBits(o) {
  return [
    o.country ? h('span', {}, countryName(o.country)) : null,
    o.stakeholder_group ? h('span', {}, t(`org_group_${o.stakeholder_group}`)) : null,
    o.website ? h('span', {}, h('a', { href: o.website, rel: 'noopener noreferrer nofollow', dir: 'ltr' }, o.website)) : null,
  ].filter(Boolean);
}

// ctx: { api, rerender } from the console.
export function organisationsBlock(s, ctx) {
  const state = seriesOrganisations(s.slug);
  const id = `orgs-${s.slug}`;
  const note = h('p', { class: 'hint', role: 'status' }, state.note);
  const alertEl = h('p', { class: 'error', role: 'alert', id: `${id}-err` });
  const load = async () => {
    try { await loadOrganisations(s.slug, ctx.api); } catch (err) { if (err.status !== 401) setText(alertEl, errorText(err)); }
  };
  const list = state.list || [];
  const details = h('details', { class: 'organisations', id, open: state.open },
    h('summary', {}, state.list ? t('org_orgs_heading', { n: list.length }) : t('org_orgs_summary')),
    h('p', { class: 'hint' }, t('org_orgs_hint')),
    h('ul', { class: 'plain' }, list.map((o) => h('li', { class: 'org-item' },
      h('strong', { dir: 'auto' }, o.name), ' ',
      h('span', { class: 'meta' }, ...profileBits(o)), ' ',
      h('button', { type: 'button', class: 'small', id: `${id}-e${o.id}`, 'aria-label': t('org_orgs_edit_of', { name: o.name }), onclick: () => { state.editing = o.id; ctx.rerender(); } }, t('org_edit')),
      state.editing === o.id ? profileForm(s, ctx, state, o, alertEl, load) : null))),
    state.editing === 'new'
      ? profileForm(s, ctx, state, null, alertEl, load)
      : h('button', { type: 'button', id: `${id}-new`, onclick: () => { state.editing = 'new'; ctx.rerender(); } }, t('org_orgs_new')),
    alertEl,
    note);
  details.addEventListener('toggle', async () => {
    state.open = details.open;
    if (details.open && state.list === null) {
      await load();
      ctx.rerender();
    }
  });
  return details;
}

function profileForm(s, ctx, state, o, alertEl, load) {
  const id = `of-${s.slug}-${o ? o.id : 'new'}`;
  const field = (name, control, labelKey) => h('div', { class: 'field', 'data-field': name },
    h('label', { for: control.id }, t(labelKey)), control);
  const name = h('input', { id: `${id}-name`, maxlength: '200', dir: 'auto', autocomplete: 'off', value: o ? o.name : '' });
  const country = h('input', { id: `${id}-country`, maxlength: '2', size: '3', autocomplete: 'off', spellcheck: 'false', value: o && o.country ? o.country : '', 'aria-describedby': `${id}-country-hint` });
  const group = h('select', { id: `${id}-group` },
    h('option', { value: '' }, t('org_orgs_no_group')),
    GROUPS.map((g) => h('option', { value: g, selected: o && o.stakeholder_group === g }, t(`org_group_${g}`))));
  const website = h('input', { id: `${id}-website`, type: 'url', maxlength: '500', dir: 'ltr', autocomplete: 'off', placeholder: 'https://', value: o && o.website ? o.website : '' });
  const controls = { name, country, stakeholder_group: group, website };
  // What was typed survives a re-render of the console (the list arriving after the block
  // was opened redraws it): kept per form until it is saved or cancelled.
  const key = o ? o.id : 'new';
  if (state.draft && state.draft.key === key) {
    for (const [field, control] of Object.entries(controls)) control.value = state.draft.values[field];
  }
  const keep = () => {
    state.draft = { key, values: Object.fromEntries(Object.entries(controls).map(([f, c]) => [f, c.value])) };
  };
  for (const control of Object.values(controls)) {
    control.addEventListener('input', keep);
    control.addEventListener('change', keep);
  }
  const save = async (e) => {
    e.preventDefault();
    setText(alertEl, '');
    for (const c of Object.values(controls)) c.removeAttribute('aria-invalid');
    if (!name.value.trim()) { setText(alertEl, t('org_fe_name')); name.setAttribute('aria-invalid', 'true'); name.focus(); return; }
    const body = {
      name: name.value.trim(),
      country: country.value.trim() || null,
      stakeholder_group: group.value || null,
      website: website.value.trim() || null,
    };
    try {
      if (o) await ctx.api('PATCH', `${path(s.slug)}/${o.id}`, body);
      else await ctx.api('POST', path(s.slug), body);
    } catch (err) {
      if (err.status === 401) return;
      setText(alertEl, errorText(err));
      const bad = controls[fieldOf(err.error.field)];
      if (bad) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
      return;
    }
    state.editing = null;
    state.draft = null;
    state.note = t(o ? 'org_orgs_saved' : 'org_orgs_added', { name: body.name });
    await load();
    ctx.rerender();
  };
  return h('form', { class: 'inline-form org-form', novalidate: true, onsubmit: save, 'aria-describedby': alertEl.id },
    field('name', name, 'org_orgs_name'),
    field('country', country, 'org_orgs_country'),
    h('p', { class: 'hint', id: `${id}-country-hint` }, t('org_orgs_country_hint')),
    field('stakeholder_group', group, 'org_orgs_group'),
    field('website', website, 'org_orgs_website'),
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary small' }, t('org_orgs_save')),
      h('button', { type: 'button', class: 'small', onclick: () => { state.editing = null; state.draft = null; ctx.rerender(); } }, t('org_orgs_cancel'))));
}

const ticked = new Map(); // event slug -> organisation ids ticked there

// In an event's panel: organisations of the series not invited yet, to invite with one click.
export function inviteFromSeries(ev, ctx, invitations, onInvited, fail) {
  if (!ctx.series) return null;
  const state = seriesOrganisations(ctx.series);
  const id = `ifs-${ev.slug}`;
  if (state.list === null) {
    return h('button', { type: 'button', id: `${id}-load`, onclick: async () => {
      try { await loadOrganisations(ctx.series, ctx.api); } catch (err) { fail(err); }
      ctx.rerender();
    } }, t('org_orgs_show_series'));
  }
  const invited = new Set(invitations.map((i) => i.organisation_id));
  const free = state.list.filter((o) => !invited.has(o.id));
  if (!free.length) return h('p', { class: 'hint' }, t('org_orgs_all_invited'));
  // Ticks survive the console's re-renders (a list loading meanwhile redraws the panel).
  if (!ticked.has(ev.slug)) ticked.set(ev.slug, new Set());
  const chosen = ticked.get(ev.slug);
  const boxes = free.map((o) => h('input', {
    type: 'checkbox', id: `${id}-${o.id}`, value: String(o.id), checked: chosen.has(o.id),
    onchange: (e) => { if (e.target.checked) chosen.add(o.id); else chosen.delete(o.id); },
  }));
  const invite = async () => {
    const ids = free.map((o) => o.id).filter((i) => chosen.has(i));
    if (!ids.length) { boxes[0].focus(); return; }
    try {
      const made = (await ctx.api('POST', `/api/organiser/events/${encodeURIComponent(ev.slug)}/invited-organisations`, { organisation_ids: ids })).invitations;
      chosen.clear();
      await onInvited(made);
    } catch (err) { fail(err); }
  };
  return h('fieldset', { class: 'invite-series' },
    h('legend', {}, t('org_orgs_invite_legend')),
    free.map((o, n) => h('label', { class: 'check' }, boxes[n], ' ', h('bdi', { dir: 'auto' }, o.name))),
    h('button', { type: 'button', id: `${id}-go`, class: 'primary', onclick: invite }, t('org_orgs_invite')));
}
