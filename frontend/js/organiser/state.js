// What the organiser console holds between renders, shared by its parts (organiser.js wires
// them): who is signed in, the series and people lists, the open forms, the status line.
import { $, setText } from '../dom.js';
import { t } from '../i18n.js';
import { apiClient } from './api.js';
import { keepFocus } from './forms.js';

export const state = {
  csrf: '',
  me: null,
  seriesList: [],
  people: { candidates: [], moderators: [] },
  eventForm: null, // {mode: 'new'} | {mode: 'edit', event}
  seriesForm: null, // {mode: 'new'} | {mode: 'edit', series}
  statusMsg: null, // [key, vars]
};

// Set by organiser.js: renewing the session, showing the sign-in, drawing the series list.
export const hooks = { renew: async () => false, signedOut: () => {}, renderSeries: () => {} };

export function say(key, vars = {}) {
  state.statusMsg = key ? [key, vars] : null;
  setText($('#status'), key ? t(key, vars) : '');
}

export const api = apiClient({ csrf: () => state.csrf, renew: () => hooks.renew(), signedOut: () => hooks.signedOut() });

// The series list drawn again, keeping the focus where it was.
export const rerender = () => keepFocus(hooks.renderSeries);

// --- data ------------------------------------------------------------------------------------
export async function loadSeries() {
  state.seriesList = (await api('GET', '/api/organiser/series')).series || [];
}

export async function loadPeople() {
  state.people = await api('GET', '/api/organiser/people');
}

export async function reload() {
  try { await loadSeries(); } catch (err) { if (err.status !== 401) say('org_err_load'); }
  rerender();
}
