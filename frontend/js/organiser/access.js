// Who may take part in an event: its participation mode and, for an invitation list, the
// organisations with their delegate links (docs/protocol.md, "Participation modes").
import { h, setText } from '../dom.js';
import { t } from '../i18n.js';
import { copyBox, errorText } from './forms.js';
import { inviteFromSeries, profileBits } from './organisations.js';

const MODES = ['open', 'code', 'email', 'invited'];
// Per event, kept across re-renders of the console: whether the panel is open, the loaded
// invitations, and the links made in this visit (shown once: only their hashes are kept).
const panels = new Map();

function panelState(slug) {
  if (!panels.has(slug)) panels.set(slug, { open: false, invitations: null, links: new Map(), note: '', chosen: null });
  return panels.get(slug);
}

const base = (ev) => `/api/organiser/events/${encodeURIComponent(ev.slug)}`;

// ctx: { api, rerender } from the console.
export function accessPanel(ev, ctx) {
  const state = panelState(ev.slug);
  const id = `acc-${ev.slug}`;
  const note = h('p', { class: 'hint', role: 'status' }, state.note);
  const sayHere = (text) => { state.note = text; setText(note, text); };
  const fail = (err) => { if (err.status !== 401) sayHere(t('org_err_plain', { message: errorText(err) })); };

  // A choice not yet saved survives a re-render (the panel is rebuilt when its invitations
  // arrive, which may be after the organiser picked a mode).
  const chosen = state.chosen || ev.access_mode || 'open';
  const select = h('select', { id: `${id}-mode` },
    MODES.map((m) => h('option', { value: m, selected: chosen === m }, t(`org_access_${m}`))));
  select.addEventListener('change', () => { state.chosen = select.value; });
  const save = async () => {
    try {
      const done = await ctx.api('POST', `${base(ev)}/access-mode`, { mode: select.value });
      ev.access_mode = done.access_mode;
      state.chosen = null;
      state.note = t('org_access_saved', { mode: t(`org_access_${done.access_mode}`) });
      if (done.access_mode === 'invited') await load();
      ctx.rerender();
    } catch (err) { fail(err); }
  };
  const load = async () => {
    try {
      state.invitations = (await ctx.api('GET', `${base(ev)}/invitations`)).invitations;
    } catch (err) { fail(err); }
  };

  const details = h('details', { class: 'access', id, open: state.open },
    h('summary', {}, t('org_access_summary', { mode: t(`org_access_${ev.access_mode || 'open'}`) })),
    h('div', { class: 'row' },
      h('label', { for: `${id}-mode` }, t('org_access_label')), select,
      h('button', { type: 'button', id: `${id}-save`, onclick: save }, t('org_access_save'))),
    h('p', { class: 'hint' }, t(`org_access_hint_${ev.access_mode || 'open'}`, { code: ev.code || '' })),
    // Delegate links serve every mode: in `invited` they let delegates in; in every mode they
    // let delegates ask and endorse on their organisation's behalf.
    ev.access_mode === 'invited' ? null : h('p', { class: 'hint' }, t('org_inv_any_mode')),
    invitationsBox(ev, ctx, state, sayHere, fail, load),
    note);
  details.addEventListener('toggle', async () => {
    state.open = details.open;
    if (details.open && state.invitations === null) {
      await load();
      ctx.rerender();
    }
  });
  return details;
}

function invitationsBox(ev, ctx, state, sayHere, fail, load) {
  const id = `inv-${ev.slug}`;
  const text = h('textarea', { id: `${id}-text`, rows: 5, placeholder: t('org_inv_placeholder') });
  // What was pasted survives the panel's re-render when its invitations arrive.
  text.value = state.draftText || '';
  text.addEventListener('input', () => { state.draftText = text.value; });
  const file = h('input', { id: `${id}-file`, type: 'file', accept: '.csv,text/csv,text/plain' });
  file.addEventListener('change', async () => {
    if (file.files.length) text.value = state.draftText = await file.files[0].text();
  });
  const invited = async (made) => {
    for (const i of made) state.links.set(i.id, i.link);
    state.note = t('org_inv_added', { n: made.length });
    await load();
    ctx.rerender();
    document.getElementById(`${id}-all`)?.focus();
  };
  const add = async () => {
    if (!text.value.trim()) { text.focus(); return; }
    try {
      const made = (await ctx.api('POST', `${base(ev)}/invitations`, { text: text.value })).invitations;
      text.value = '';
      state.draftText = '';
      await invited(made);
    } catch (err) { fail(err); }
  };
  const act = (invitation, what) => async () => {
    if (what === 'revoke' && !window.confirm(t('org_inv_confirm_revoke', { name: invitation.name }))) return;
    if (what === 'link' && !window.confirm(t('org_inv_confirm_link', { name: invitation.name }))) return;
    try {
      const done = await ctx.api('POST', `${base(ev)}/invitations/${invitation.id}/${what}`, {});
      if (done.link) state.links.set(done.id, done.link); else state.links.delete(done.id);
      state.note = t(what === 'revoke' ? 'org_inv_revoked' : 'org_inv_new_link', { name: invitation.name });
      await load();
      ctx.rerender();
    } catch (err) { fail(err); }
  };
  const invitations = state.invitations || [];
  const fresh = invitations.filter((i) => state.links.has(i.id) && !i.revoked);
  const allLinks = fresh.map((i) => `${i.name}\t${i.email || ''}\t${state.links.get(i.id)}`).join('\n');
  return h('div', { class: 'invitations' },
    h('label', { for: `${id}-text` }, t('org_inv_label')),
    h('p', { class: 'hint', id: `${id}-hint` }, t('org_inv_hint')),
    h('p', { class: 'hint' }, t('org_inv_hint_profile')),
    text,
    h('div', { class: 'row' },
      h('label', { for: `${id}-file` }, t('org_inv_file')), file,
      h('button', { type: 'button', class: 'primary', id: `${id}-add`, onclick: add }, t('org_inv_add'))),
    fresh.length ? h('div', { class: 'modlink' },
      h('p', {}, t('org_inv_links_once', { n: fresh.length })),
      copyBox(`${id}-all`, allLinks, 'org_inv_all_links')) : null,
    inviteFromSeries(ev, ctx, invitations, invited, fail),
    h('p', { class: 'meta' }, t('org_inv_count', { n: invitations.length })),
    h('ol', { class: 'plain' }, invitations.map((i) => h('li', { class: 'inv' },
      h('strong', { dir: 'auto' }, i.name), i.email ? h('span', { class: 'muted' }, ` ${i.email}`) : null, ' ',
      h('span', { class: 'meta' }, ...profileBits(i)), ' ',
      h('span', { class: 'meta' }, i.revoked ? t('org_inv_is_revoked') : t('org_inv_delegates', { n: i.delegates })), ' ',
      state.links.has(i.id) && !i.revoked ? copyBox(`${id}-l${i.id}`, state.links.get(i.id), 'org_inv_link') : null,
      h('button', { type: 'button', id: `${id}-n${i.id}`, onclick: act(i, 'link') }, t('org_inv_make_link')),
      i.revoked ? null : h('button', { type: 'button', class: 'danger', id: `${id}-r${i.id}`, onclick: act(i, 'revoke') }, t('org_inv_revoke'))))));
}
