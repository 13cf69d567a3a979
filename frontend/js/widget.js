// The widget's optional script: a fresh copy of the same server-rendered page every 20
// seconds while the event is live or about to start, swapped in place (the page works
// without it, as a snapshot: docs/record.md, "Widget").
const EVERY = 20000;

function finished() {
  const badge = document.querySelector('.badge[data-status]');
  return !badge || ['ended', 'cancelled'].includes(badge.dataset.status);
}

async function refresh() {
  if (finished()) return;
  try {
    const r = await fetch(location.href, { cache: 'no-store', credentials: 'omit' });
    const fresh = r.ok && new DOMParser().parseFromString(await r.text(), 'text/html').getElementById('w');
    const main = document.getElementById('w');
    if (fresh && main) main.replaceChildren(...fresh.childNodes);
  } catch { /* offline for a moment: the next round tries again */ }
  setTimeout(refresh, EVERY);
}

setTimeout(refresh, EVERY);
