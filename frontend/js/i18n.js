// Message catalogues: the language follows the browser, a switch overrides it.
const NAMES = { en: 'English', fr: 'Français' };
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

// t('votes', {n: 3}) -> "3 votes"; entries may be plural objects {one, other}.
export function t(key, vars = {}) {
  let s = catalogue[key];
  if (s == null) return key;
  if (typeof s === 'object') s = s[plurals.select(vars.n)] ?? s.other;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k === 'n' ? num(vars.n) : vars[k] ?? ''));
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
