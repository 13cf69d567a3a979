// Form helpers of the organiser console: errors next to their fields, copy boxes, focus.
import { h, setText } from '../dom.js';
import { explain, t } from '../i18n.js';

// Server field names -> the form field that holds them ("end" comes from the duration).
export const fieldOf = (field) => {
  const f = String(field || '').split('.')[0];
  return f === 'end' ? 'duration_minutes' : f;
};

export function errorText(err) {
  if (err.status === 0) return t('org_err_network');
  const byField = `org_fe_${fieldOf(err.error.field)}`;
  if (err.error.field && t(byField) !== byField) return t(byField);
  const byCode = `org_err_${err.error.code}`;
  if (t(byCode) !== byCode) return t(byCode);
  return explain(err.error);
}

// --- field errors: text next to the field (aria-describedby) plus a role="alert" summary --------
export function clearErrors(form) {
  for (const el of form.querySelectorAll('.error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

function controlOf(wrap) {
  return wrap.querySelector('input:not([type=hidden]), select, textarea');
}

// errors: [[field, message]]; alertEl: the form's role="alert" element.
export function showErrors(form, alertEl, errors) {
  clearErrors(form);
  let first = null;
  const loose = [];
  for (const [field, message] of errors) {
    const wrap = field && form.querySelector(`[data-field="${field}"]:not([hidden])`);
    if (!wrap) { loose.push(message); continue; }
    setText(wrap.querySelector('.error'), message);
    const control = controlOf(wrap);
    if (control && !wrap.matches('fieldset')) control.setAttribute('aria-invalid', 'true');
    first = first || control;
  }
  const fielded = errors.length - loose.length;
  const summary = [...loose];
  if (fielded === 1 && !loose.length) summary.push(errors[0][1]);
  else if (fielded) summary.push(t('org_fix_fields', { n: fielded }));
  setText(alertEl, summary.join(' '));
  if (first) first.focus();
}

export function showApiError(form, alertEl, err) {
  const field = fieldOf(err.error.field);
  showErrors(form, alertEl, [[field || null, errorText(err)]]);
}

// Re-renders keep focus on the element with the same id, so buttons survive list updates.
export function keepFocus(fn) {
  const id = document.activeElement && document.activeElement.id;
  fn();
  if (id && document.activeElement?.id !== id) document.getElementById(id)?.focus({ preventScroll: true });
}

export function copyBox(id, url, labelKey) {
  const note = h('span', { class: 'hint', role: 'status' });
  const input = h('input', { id, type: 'url', readonly: true, value: url, onfocus: (e) => e.target.select() });
  input.value = url;
  const copy = async () => {
    let ok = false;
    try { await navigator.clipboard.writeText(url); ok = true; } catch {
      input.select();
      try { ok = document.execCommand('copy'); } catch { ok = false; }
    }
    setText(note, t(ok ? 'sch_copied' : 'sch_copy_failed'));
  };
  return h('div', { class: 'copybox' },
    h('label', { for: id }, t(labelKey)),
    h('div', { class: 'copy' }, input, h('button', { type: 'button', id: `${id}-copy`, onclick: copy }, t('sch_copy'))),
    note);
}
