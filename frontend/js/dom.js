// Tiny DOM helpers. User text only ever goes in through textContent / text nodes.

export const $ = (sel, root = document) => root.querySelector(sel);

// h('button', {class: 'x', onclick: f, 'aria-label': s}, 'text', child)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'hidden') el.hidden = true;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c != null && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// At most one call per `ms`, the last request always runs.
export function throttle(fn, ms) {
  let last = 0, timer = 0;
  return () => {
    const wait = last + ms - Date.now();
    if (timer) return;
    if (wait <= 0) { last = Date.now(); fn(); return; }
    timer = setTimeout(() => { timer = 0; last = Date.now(); fn(); }, wait);
  };
}

// Keyed list update: reuses the element of each key, so focus and state survive updates.
export function syncList(list, items, key, create, update) {
  const old = new Map();
  for (const el of list.children) old.set(el.dataset.key, el);
  const focused = document.activeElement;
  let prev = null;
  for (const item of items) {
    const k = String(key(item));
    let el = old.get(k);
    if (el) old.delete(k);
    else { el = create(item); el.dataset.key = k; }
    update(el, item);
    const want = prev ? prev.nextSibling : list.firstChild;
    if (want !== el) list.insertBefore(el, want);
    prev = el;
  }
  for (const el of old.values()) el.remove();
  if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
}

// sessionStorage that tolerates private modes and full quotas.
export const session = {
  get(key) {
    try { return JSON.parse(sessionStorage.getItem(key)); } catch { return null; }
  },
  set(key, value) {
    try {
      if (value == null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, JSON.stringify(value));
    } catch { /* storage unavailable: keep working in memory */ }
  },
};

// The character count the server applies (NFC, collapsed whitespace, code points).
export function cleanText(text) {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}
export const charCount = (text) => [...cleanText(text)].length;

export function slugFromPath() {
  return decodeURIComponent(location.pathname.split('/')[2] || '');
}

// User text (questions, names, titles) comes in any script: dir="auto" lets the browser take its
// direction from its own first strong letter, so an Arabic question reads right to left on an
// English page and the other way round; `lang` (when known) picks the font and line breaking.
// An element whose only strong letters are the user text's (e.g. "#12 " then the question)
// takes the direction from that text too.
export function userText(el, text, lang) {
  setText(el, text);
  return textDirection(el, lang);
}
export function textDirection(el, lang) {
  el.dir = 'auto';
  if (lang) el.lang = lang;
  else el.removeAttribute('lang');
  return el;
}
