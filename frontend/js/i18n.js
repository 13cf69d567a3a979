// Message catalogues: the language follows the browser, a switch overrides it.
// The six official languages of the UN, each named in itself, in the UN's own order.
const NAMES = { ar: 'العربية', zh: '中文', en: 'English', fr: 'Français', ru: 'Русский', es: 'Español' };
const RTL = ['ar', 'fa', 'he', 'ur'];
const SAVED = 'townhall.lang';

let catalogue = {};
let lang = 'en';
let plurals = new Intl.PluralRules('en');
let numbers = new Intl.NumberFormat('en');

export const currentLang = () => lang;

export function pickLang() {
  let saved = null;
  try { saved = localStorage.getItem(SAVED); } catch { /* no storage */ }
  if (saved in NAMES) return saved;
  for (const tag of navigator.languages || [navigator.language]) {
    const base = String(tag || '').toLowerCase().split('-')[0];
    if (base in NAMES) return base;
  }
  return 'en';
}

export async function setLang(code) {
  if (!(code in NAMES)) code = 'en';
  // One module per language, merged by the server from the folder's parts (web/catalogue.py).
  catalogue = (await import(`./messages/${code}.js`)).default;
  lang = code;
  plurals = new Intl.PluralRules(code);
  numbers = new Intl.NumberFormat(code);
  const root = document.documentElement;
  root.lang = code;
  root.dir = RTL.includes(code) ? 'rtl' : 'ltr';
  translatePage();
}

export const num = (n) => numbers.format(n);
// 0.42 -> "42 %", "42%" or "42٪", as the language writes it.
export const percent = (x) => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(x);

// Text of a right-to-left script: inserted into a sentence it is isolated (FSI ... PDI), so its
// direction cannot reorder the words around it (an Arabic title in an English sentence, or an
// English one in Arabic).
const RTL_TEXT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;
// Numbers and punctuation alone stay as they are ("0/500" keeps its order).
const isolate = (v) => (typeof v === 'string' && /\p{L}/u.test(v) && (RTL.includes(lang) || RTL_TEXT.test(v)) ? `\u2068${v}\u2069` : v);

// t('votes', {n: 3}) -> "3 votes". Plural entries hold the forms Intl.PluralRules selects for the
// language (ar: zero one two few many other; ru: one few many other; zh: other); French and
// Spanish `many` (a million and up) falls back to `other`.
export function t(key, vars = {}) {
  let s = catalogue[key];
  if (s == null) return key;
  if (typeof s === 'object') s = s[plurals.select(vars.n ?? 0)] ?? s.other;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k === 'n' ? num(vars.n) : isolate(vars[k] ?? '')));
}

// A refusal or error from the server, in the reader's language: by its code, with its details
// (retry_after -> {wait}, opens_at -> {opens} in the reader's time zone). An unknown code gets a general text in the reader's language; the
// server's own (English) message reaches English readers only.
export function explain(m, prefix = m.type === 'error' ? 'error' : 'refused') {
  const after = Number(m.retry_after) || 0;
  const wait = after < 90 ? t('wait_seconds', { n: after }) : t('wait_minutes', { n: Math.ceil(after / 60) });
  const key = `${prefix}_${m.code}`;
  const opens = m.opens_at ? new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short' }).format(new Date(m.opens_at)) : '';
  const text = t(key, { wait, opens, mode: m.mode ? t(`org_access_${m.mode}`) : '', limit: m.limit, field: m.field });
  if (text !== key) return text;
  return lang === 'en' && m.message ? m.message : t(`${prefix}_other`);
}

// Static text: <h2 data-i18n="key">, attributes: data-i18n-attr="aria-label:key;placeholder:key2"
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr, t(key));
    }
  }
}

// Fills a <select> with the languages and calls onChange after switching.
export function languageSwitch(select, onChange) {
  select.replaceChildren(
    ...Object.entries(NAMES).map(([code, name]) => {
      const o = document.createElement('option');
      o.value = code;
      o.lang = code;
      o.textContent = name;
      return o;
    }),
  );
  select.value = lang;
  select.addEventListener('change', async () => {
    try { localStorage.setItem(SAVED, select.value); } catch { /* no storage */ }
    await setLang(select.value);
    onChange && onChange();
  });
}

export async function startI18n(onChange) {
  await setLang(pickLang());
  const select = document.getElementById('lang');
  if (select) languageSwitch(select, onChange);
}
