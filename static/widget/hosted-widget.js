// Starts the widget on the hosted page, in place of the server-rendered forms once it is
// ready. The widget speaks to its "loader" with postMessage; on the hosted page there is no
// loader (it is the top window, its own parent), so this script hears the messages itself:
// ready → show the widget; success → the merchant's success_url (with checkout_id); close
// (the widget's Cancel) → the merchant's cancel_url.
const holder = document.getElementById('lipa');
const page = document.getElementById('lipa-page');
const { token, locale, successUrl, cancelUrl } = holder.dataset;
let paid = false;

addEventListener('message', (e) => {
  if (e.source !== window || e.origin !== location.origin) return;
  const m = e.data;
  if (!m || m.source !== 'lipa' || m.instance !== 'hosted') return;
  if (m.type === 'ready') {
    page.remove();
    holder.hidden = false;
  } else if (m.type === 'success') {
    paid = true;
    if (successUrl) location.assign(successUrl);
  } else if (m.type === 'close' && cancelUrl && !paid) {
    // Cancel while choosing or waiting; after a payment, "Done" never means cancelled.
    location.assign(cancelUrl);
  }
});
// Escape closes the widget's dialog when it is embedded; a whole page is not closed by a key.
addEventListener('keydown', (e) => { if (e.key === 'Escape') e.stopImmediatePropagation(); }, true);

// The widget reads its credential and settings from the fragment (never sent to a server).
history.replaceState(null, '', `${location.pathname}${location.search}#cs=${token}&i=hosted&o=${location.origin}&l=${locale}`);
import('./boot.js').catch(() => globalThis.lipaHostedFallback?.());
