// The series form: a new series, or a series' title and description edited.
import { $ } from '../dom.js';
import { t } from '../i18n.js';
import { clearErrors, showApiError, showErrors } from './forms.js';
import { renderFormTitles } from './event-form.js';
import { api, reload, say, state } from './state.js';

export function openSeriesForm(s) {
  say(null);
  state.seriesForm = s ? { mode: 'edit', series: s } : { mode: 'new' };
  const form = $('#series-form');
  clearErrors(form);
  form.reset();
  if (s) {
    $('#sf-title').value = s.title;
    $('#sf-description').value = s.description || '';
  }
  renderFormTitles();
  $('#series-box').hidden = false;
  $('#new-series-open').setAttribute('aria-expanded', 'true');
  $('#sf-title').focus();
}

export function closeSeriesForm() {
  const back = state.seriesForm && state.seriesForm.mode === 'edit' ? `edit-s-${state.seriesForm.series.slug}` : 'new-series-open';
  state.seriesForm = null;
  $('#series-box').hidden = true;
  $('#new-series-open').setAttribute('aria-expanded', 'false');
  document.getElementById(back)?.focus();
}

export async function submitSeries(e) {
  e.preventDefault();
  const form = e.target;
  const body = { title: $('#sf-title').value.trim(), description: $('#sf-description').value.trim() };
  if (!body.title) return showErrors(form, $('#sf-err'), [['title', t('org_fe_title')]]);
  clearErrors(form);
  try {
    const editing = state.seriesForm && state.seriesForm.mode === 'edit' ? state.seriesForm.series.slug : null;
    const saved = editing
      ? await api('PATCH', `/api/organiser/series/${encodeURIComponent(editing)}`, body)
      : await api('POST', '/api/organiser/series', body);
    state.seriesForm = null;
    $('#series-box').hidden = true;
    $('#new-series-open').setAttribute('aria-expanded', 'false');
    await reload();
    say(editing ? 'org_series_saved' : 'org_series_created', { title: saved.title });
    document.getElementById(`s-${saved.slug}`)?.focus();
  } catch (err) {
    if (err.status !== 401) showApiError(form, $('#sf-err'), err);
  }
}
