// The inline reschedule form of an event in the series list.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { clearErrors, showApiError, showErrors } from './forms.js';
import { MAX_MINUTES, clashItems, showClashes, timingErrors } from './conflicts.js';
import { api, reload, rerender, say } from './state.js';

export const rescheduling = new Set(); // event slugs whose reschedule form is open

export function toggleReschedule(ev) {
  if (rescheduling.has(ev.slug)) rescheduling.delete(ev.slug);
  else rescheduling.add(ev.slug);
  rerender();
  if (rescheduling.has(ev.slug)) document.getElementById(`rsf-${ev.slug}-start`)?.focus();
}

export function rescheduleForm(ev) {
  const id = `rsf-${ev.slug}`;
  const alertEl = h('p', { class: 'error', role: 'alert', id: `${id}-err` });
  const clashBox = h('div', { class: 'clashes', hidden: true });
  const field = (name, labelKey, attrs, hintKey) => h('div', { class: 'field', 'data-field': name },
    h('label', { for: `${id}-${name}` }, t(labelKey)),
    h('input', { id: `${id}-${name}`, name, 'aria-describedby': `${hintKey ? `${id}-${name}-hint ` : ''}${id}-${name}-err`, ...attrs }),
    hintKey ? h('p', { class: 'hint', id: `${id}-${name}-hint` }, t(hintKey)) : null,
    h('p', { class: 'error', id: `${id}-${name}-err` }));
  const form = h('form', { id, class: 'reschedule', novalidate: true, 'aria-labelledby': `${id}-h` },
    h('h6', { id: `${id}-h` }, t('org_reschedule_heading', { title: ev.title })),
    alertEl, clashBox,
    field('start', 'org_f_start', { type: 'datetime-local', required: true, value: ev.local_start.slice(0, 16) }),
    field('duration_minutes', 'org_f_duration', { type: 'number', inputmode: 'numeric', min: 1, max: MAX_MINUTES, step: 1, required: true, value: ev.duration_minutes }, 'org_duration_hint'),
    field('timezone', 'org_f_timezone', { list: 'zones', required: true, autocomplete: 'off', spellcheck: 'false', value: ev.timezone }, 'org_timezone_hint'),
    h('div', { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary' }, t('org_reschedule_save')),
      h('button', { type: 'button', onclick: () => toggleReschedule(ev) }, t('cancel'))));
  const send = async (override) => {
    const body = {
      start: form.elements.start.value,
      duration_minutes: Number(form.elements.duration_minutes.value),
      timezone: form.elements.timezone.value.trim(),
      override_conflicts: override,
    };
    const errors = timingErrors(body);
    if (errors.length) return showErrors(form, alertEl, errors);
    clearErrors(form);
    clashBox.hidden = true;
    try {
      const data = await api('POST', `/api/organiser/events/${encodeURIComponent(ev.slug)}/reschedule`, body);
      rescheduling.delete(ev.slug);
      await reload();
      say('org_rescheduled', { title: data.event.title, n: data.event.sequence });
      document.getElementById(`e-${ev.slug}`)?.focus();
    } catch (err) {
      if (err.status === 409 && err.error.code === 'conflicts') {
        showClashes(clashBox, clashItems(err.error.clashes || [], body.timezone), () => send(true), () => form.elements.start.focus());
      } else if (err.status !== 401) showApiError(form, alertEl, err);
    }
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); send(false); });
  return form;
}
