// The signed-in organiser's own account: change the password (every other session ends).
import { $ } from '../dom.js';
import { t } from '../i18n.js';
import { clearErrors, showApiError, showErrors } from './forms.js';

const MIN_PASSWORD = 12;

// ctx: { api, say, signedIn(data) } from the console (signedIn takes the new CSRF token).
export function wireAccount(ctx) {
  const form = $('#password-form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const current = $('#pw-current').value;
    const next = $('#pw-new').value;
    const again = $('#pw-again').value;
    const errors = [];
    if (!current) errors.push(['current_password', t('org_fe_password')]);
    if (next.length < MIN_PASSWORD) errors.push(['new_password', t('org_fe_new_password')]);
    else if (next !== again) errors.push(['again', t('org_fe_password_again')]);
    if (errors.length) return showErrors(form, $('#pw-err'), errors);
    clearErrors(form);
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const data = await ctx.api('POST', '/api/organiser/password', { current_password: current, new_password: next });
      ctx.signedIn(data);
      form.reset();
      $('#account').open = false;
      ctx.say('org_password_changed');
    } catch (err) {
      if (err.status === 429) showErrors(form, $('#pw-err'), [[null, tooMany(err)]]);
      else if (err.status !== 401) showApiError(form, $('#pw-err'), err);
    } finally {
      button.disabled = false;
    }
  });
}

export function tooMany(err) {
  const minutes = Math.max(1, Math.ceil((err.error.retry_after || 60) / 60));
  return t('org_err_too_many_attempts', { n: minutes });
}
