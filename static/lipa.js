/*
 * Lipa loader: opens the mobile-money checkout in an iframe served from Lipa's own origin
 * and relays the widget's typed messages to the merchant's callbacks.
 *
 *   Lipa.open({ checkout, clientSecret, locale, onSuccess, onFailure, onClose }) -> { close }
 *     onSuccess({ checkout, payment_id, replayed }): replayed is true when the checkout was
 *     already paid as the widget opened (a reopened paid checkout), false for a new payment.
 *   <script src=".../lipa.js" data-checkout="co_…" data-client-secret="…" data-locale="sw"></script>
 *     renders a pay button and dispatches `lipa:success`, `lipa:failure`, `lipa:close`
 *     events (detail = the callback's argument) on document.
 *
 * `locale` is `en`, `fr` or `sw`; without it the customer's browser languages decide.
 * `appearance` is `{ theme: 'light' | 'dark' | 'auto', variables: { colorPrimary,
 * colorBackground, colorText, colorDanger, borderRadius, fontFamily } }`; the widget checks it
 * and warns in the console about anything it refuses (e.g. a pair below WCAG AA contrast).
 *
 * Every message is checked for Lipa's origin, this instance's iframe and this instance's id,
 * so two widgets on one page never answer each other; each callback fires once per outcome.
 */
(function () {
  'use strict';
  if (window.Lipa) return;
  var script = document.currentScript;
  var ORIGIN = new URL(script && script.src ? script.src : '/', location.href).origin;
  var count = 0;
  var styled = false;
  // The loader's own words, in the widget's languages.
  var WORDS = {
    en: { dialog: 'Pay with mobile money', close: 'Close payment window', frame: 'Lipa secure checkout' },
    fr: { dialog: 'Payer par mobile money', close: 'Fermer la fenêtre de paiement', frame: 'Paiement sécurisé Lipa' },
    sw: { dialog: 'Lipa kwa pesa za simu', close: 'Funga dirisha la malipo', frame: 'Malipo salama ya Lipa' }
  };

  // The merchant's choice if Lipa speaks it, else the browser's first language Lipa speaks.
  function language(asked) {
    var tags = [asked].concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < tags.length; i++) {
      var primary = String(tags[i] || '').toLowerCase().split(/[-_]/)[0];
      if (WORDS[primary]) return primary;
    }
    return 'en';
  }

  function style() {
    if (styled) return;
    styled = true;
    var css = document.createElement('style');
    css.textContent =
      '.lipa-overlay{position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;' +
      'justify-content:center;background:rgba(17,24,39,.55)}' +
      '.lipa-frame{width:420px;height:640px;max-height:92vh;border:0;border-radius:14px;background:#fff;' +
      'box-shadow:0 20px 50px rgba(0,0,0,.3)}' +
      '.lipa-close{position:absolute;top:10px;right:12px;width:40px;height:40px;border:0;border-radius:20px;' +
      'background:rgba(255,255,255,.92);font:24px/40px system-ui,sans-serif;cursor:pointer;color:#111}' +
      '@media (max-width:480px){.lipa-frame{width:100vw;height:100vh;max-height:none;border-radius:0}}';
    document.head.appendChild(css);
  }

  function call(fn, arg) {
    if (typeof fn !== 'function') return;
    try { fn(arg); } catch (e) { setTimeout(function () { throw e; }); }
  }

  function open(opts) {
    if (!opts || !opts.checkout || !opts.clientSecret) {
      throw new Error('Lipa.open needs { checkout, clientSecret }');
    }
    style();
    var instance = 'w' + (++count) + Math.random().toString(36).slice(2, 10);
    var lang = language(opts.locale);
    var words = WORDS[lang];
    var fired = {};
    var closed = false;
    var previous = document.activeElement;

    var overlay = document.createElement('div');
    overlay.className = 'lipa-overlay';
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', words.dialog);
    overlay.setAttribute('lang', lang);
    var frame = document.createElement('iframe');
    frame.className = 'lipa-frame';
    frame.title = words.frame;
    // WebOTP: the browser may fill the one-time code from an SMS that names Lipa's origin.
    frame.setAttribute('allow', 'otp-credentials');
    frame.src = ORIGIN + '/pay/' + encodeURIComponent(opts.checkout) +
      '#cs=' + encodeURIComponent(opts.clientSecret) + '&i=' + instance +
      // An origin has no '&', '#' or '=', so it travels as it is and the widget decodes nothing.
      '&o=' + location.origin + '&l=' + lang +
      (opts.appearance ? '&a=' + encodeURIComponent(JSON.stringify(opts.appearance)) : '');
    var closer = document.createElement('button');
    closer.type = 'button';
    closer.className = 'lipa-close';
    closer.setAttribute('aria-label', words.close);
    closer.textContent = '\u00d7';
    closer.onclick = function () { close(); };
    overlay.appendChild(frame);
    overlay.appendChild(closer);

    function once(key, fn, arg) {
      if (fired[key]) return;
      fired[key] = true;
      call(fn, arg);
    }
    function onMessage(ev) {
      if (ev.origin !== ORIGIN || ev.source !== frame.contentWindow) return;
      var d = ev.data;
      if (!d || d.source !== 'lipa' || d.instance !== instance) return;
      if (d.type === 'success') {
        // replayed: the checkout was already paid when the widget opened (this success was
        // reported before): show the receipt, do not fulfil again.
        once('success', opts.onSuccess,
          { checkout: opts.checkout, payment_id: d.payment_id, replayed: d.replayed === 'true' });
      } else if (d.type === 'failure') {
        once('failure:' + d.payment_id, opts.onFailure,
          { checkout: opts.checkout, payment_id: d.payment_id, reason: d.reason });
      } else if (d.type === 'close') {
        close();
      }
    }
    function onKey(ev) { if (ev.key === 'Escape') close(); }
    // Focus stays in the dialog while it is open: anything that leaves it comes back.
    function onFocus(ev) { if (!overlay.contains(ev.target)) closer.focus(); }
    function close() {
      if (closed) return;
      closed = true;
      window.removeEventListener('message', onMessage);
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('focusin', onFocus);
      overlay.remove();
      if (previous && previous.focus) previous.focus();
      once('close', opts.onClose, { checkout: opts.checkout });
    }
    window.addEventListener('message', onMessage);
    document.addEventListener('keydown', onKey);
    document.addEventListener('focusin', onFocus);
    document.body.appendChild(overlay);
    frame.focus();
    return { close: close };
  }

  function emit(name) {
    return function (detail) {
      document.dispatchEvent(new CustomEvent('lipa:' + name, { detail: detail }));
    };
  }

  function declarative(el) {
    var data = el.dataset;
    if (!data.checkout || !data.clientSecret) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'lipa-button';
    button.textContent = data.label || WORDS[language(data.locale)].dialog;
    button.onclick = function () {
      open({
        checkout: data.checkout, clientSecret: data.clientSecret, locale: data.locale,
        onSuccess: emit('success'), onFailure: emit('failure'), onClose: emit('close')
      });
    };
    el.parentNode.insertBefore(button, el.nextSibling);
  }

  window.Lipa = { open: open, version: '0.1.0' };
  if (script) declarative(script);
})();
