// Who may edit a series: its owners and editors. Owners (and admins) add and remove them.
import { h, setText } from '../dom.js';
import { t } from '../i18n.js';
import { errorText } from './forms.js';

const canManage = (s) => s.role === 'owner' || s.role === 'admin';

// ctx: { api, say, reload } from the console.
export function membersBlock(s, ctx) {
  const headId = `m-${s.slug}`;
  const alertEl = h('p', { class: 'error', role: 'alert', id: `m-err-${s.slug}` });
  const fail = (err, input) => {
    setText(alertEl, errorText(err));
    if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
  };
  const change = async (path, body, done, input) => {
    setText(alertEl, '');
    if (input) input.removeAttribute('aria-invalid');
    try {
      await ctx.api('POST', `/api/organiser/series/${encodeURIComponent(s.slug)}/${path}`, body);
    } catch (err) {
      if (err.status !== 401) fail(err, input);
      return;
    }
    ctx.say(...done);
    await ctx.reload();
  };
  const members = (s.members || []).map((m) => h('li', { class: 'row' },
    h('span', { dir: 'auto' }, m.name ? `${m.name} <${m.email}>` : m.email), ' ',
    h('span', { class: 'badge', 'data-state': m.role }, t(`org_role_${m.role}`)),
    canManage(s)
      ? h('button', {
        type: 'button',
        class: 'small',
        id: `m-rm-${s.slug}-${m.email}`,
        'aria-label': t('org_remove_member_of', { email: m.email }),
        onclick: () => change('members/remove', { email: m.email }, ['org_member_removed', { email: m.email }]),
      }, t('org_remove_member'))
      : null));
  let form = null;
  if (canManage(s)) {
    const email = h('input', { id: `m-email-${s.slug}`, type: 'email', autocomplete: 'off', spellcheck: 'false', maxlength: '254', 'aria-describedby': alertEl.id });
    const role = h('select', { id: `m-role-${s.slug}` },
      h('option', { value: 'editor' }, t('org_role_editor')),
      h('option', { value: 'owner' }, t('org_role_owner')));
    const add = (e) => {
      e.preventDefault();
      const value = email.value.trim();
      if (!value) { setText(alertEl, t('org_fe_email')); email.setAttribute('aria-invalid', 'true'); email.focus(); return; }
      change('members', { email: value, role: role.value }, ['org_member_added', { email: value }], email);
    };
    form = h('form', { class: 'inline-form', novalidate: true, onsubmit: add },
      h('label', { for: email.id }, t('org_member_email')), email,
      h('label', { for: role.id }, t('org_member_role')), role,
      h('button', { type: 'submit', class: 'small' }, t('org_add_member')));
  }
  return h('details', { class: 'members' },
    h('summary', { id: headId }, t('org_members_heading', { n: (s.members || []).length })),
    h('p', { class: 'hint' }, t(canManage(s) ? 'org_members_hint_owner' : 'org_members_hint_editor')),
    h('ul', { class: 'plain' }, members),
    alertEl,
    form);
}
