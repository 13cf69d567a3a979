// The organiser console: /organise (series, events, people, moderator links). The parts live
// in organiser/*.js; this file signs in and out and wires the page.
import { $, h, setText } from './dom.js';
import { t, startI18n } from './i18n.js';
import { clearErrors, keepFocus, showApiError, showErrors } from './organiser/forms.js';
import { tooMany, wireAccount } from './organiser/account.js';
import { closeEventForm, renderFormTitles, renderSeriesOptions, submitEvent } from './organiser/event-form.js';
import { addPerson, checkedValues, renderLanguages, renderPeople } from './organiser/people.js';
import { closeSeriesForm, openSeriesForm, submitSeries } from './organiser/series-form.js';
import { renderSeries } from './organiser/series-list.js';
import { api, hooks, loadPeople, loadSeries, say, state } from './organiser/state.js';

// --- signed in / out -------------------------------------------------------------------------
async function loadMe() {
  try {
    const r = await fetch('/api/organiser/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!r.ok) return false;
    const data = await r.json();
    state.me = data.organiser;
    state.csrf = data.csrf_token;
    return true;
  } catch {
    return false;
  }
}

function showSignIn() {
  state.me = null;
  state.csrf = '';
  $('#loading').hidden = true;
  $('#console').hidden = true;
  $('#who').hidden = true;
  $('#signin').hidden = false;
  $('#si-email').focus();
}

async function showConsole() {
  $('#loading').hidden = false;
  $('#signin').hidden = true;
  $('#who').hidden = false;
  setText($('#who-name'), t('org_signed_in_as', { name: state.me.name || state.me.email }));
  try {
    await Promise.all([loadSeries(), loadPeople()]);
  } catch (err) {
    if (err.status === 401) return;
    say('org_err_load');
  }
  $('#loading').hidden = true;
  $('#console').hidden = false;
  renderAll();
}

async function signIn(e) {
  e.preventDefault();
  const form = e.target;
  const email = $('#si-email').value.trim();
  const password = $('#si-password').value;
  const errors = [];
  if (!email) errors.push(['email', t('org_fe_email')]);
  if (!password) errors.push(['password', t('org_fe_password')]);
  if (errors.length) return showErrors(form, $('#signin-err'), errors);
  clearErrors(form);
  form.querySelector('button').disabled = true;
  try {
    const data = await api('POST', '/api/organiser/sign-in', { email, password });
    state.me = data.organiser;
    state.csrf = data.csrf_token;
    $('#si-password').value = '';
    await showConsole();
    say('org_welcome', { name: state.me.name || state.me.email });
    $('#series-h').setAttribute('tabindex', '-1');
    $('#series-h').focus();
  } catch (err) {
    if (err.error.code === 'bad_credentials') {
      showErrors(form, $('#signin-err'), [[null, t('org_err_bad_credentials')]]);
      $('#si-email').setAttribute('aria-invalid', 'true');
      $('#si-password').setAttribute('aria-invalid', 'true');
      $('#si-password').focus();
    } else if (err.status === 429) showErrors(form, $('#signin-err'), [[null, tooMany(err)]]);
    else showApiError(form, $('#signin-err'), err);
  } finally {
    form.querySelector('button').disabled = false;
  }
}

async function signOut() {
  try { await api('POST', '/api/organiser/sign-out', {}); } catch { /* the cookie is cleared anyway */ }
  say('org_signed_out');
  showSignIn();
}

function renderAll() {
  if (!state.me) return;
  setText($('#who-name'), t('org_signed_in_as', { name: state.me.name || state.me.email }));
  keepFocus(renderSeries);
  renderPeople();
  renderLanguages(checkedValues('#ef-languages'));
  renderSeriesOptions();
  renderFormTitles();
  if (state.statusMsg) say(...state.statusMsg);
}

// --- start -------------------------------------------------------------------------------------
function wire() {
  $('#signin-form').addEventListener('submit', signIn);
  $('#sign-out').addEventListener('click', signOut);
  wireAccount({ api, say, signedIn: (data) => { state.me = data.organiser; state.csrf = data.csrf_token; } });
  $('#new-series-open').addEventListener('click', () => (state.seriesForm ? closeSeriesForm() : openSeriesForm(null)));
  $('#series-form').addEventListener('submit', submitSeries);
  $('#series-form .cancel-form').addEventListener('click', closeSeriesForm);
  $('#event-form').addEventListener('submit', (e) => { e.preventDefault(); submitEvent(false); });
  $('#event-form .cancel-form').addEventListener('click', closeEventForm);
  $('#ef-override').addEventListener('click', () => submitEvent(true));
  $('#ef-change').addEventListener('click', () => { $('#ef-clashes').hidden = true; $('#ef-start').focus(); });
  $('#created-close').addEventListener('click', () => {
    $('#created').hidden = true;
    $('#series-h').setAttribute('tabindex', '-1');
    $('#series-h').focus();
  });
  for (const details of document.querySelectorAll('.add-person')) {
    details.querySelector('button.add').addEventListener('click', () => addPerson(details));
    // Enter in the small inline forms adds the person instead of submitting the event form.
    details.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target.matches('input')) { e.preventDefault(); addPerson(details); }
    });
  }
  let zones = [];
  try { zones = Intl.supportedValuesOf('timeZone'); } catch { zones = []; }
  if (!zones.includes('UTC')) zones = [...zones, 'UTC'];
  $('#zones').replaceChildren(...zones.map((z) => h('option', { value: z })));
}

async function main() {
  Object.assign(hooks, { renew: loadMe, signedOut: showSignIn, renderSeries });
  await startI18n(renderAll);
  wire();
  if (await loadMe()) await showConsole();
  else showSignIn();
}

main();
