/*
 * Lipa loader: opens the mobile-money checkout in an iframe served from Lipa's own origin
 * and relays the widget's typed messages to the merchant's callbacks.
 *
 *   var payment = Lipa.open({ checkout, clientSecret, locale, appearance, loadTimeout,
 *                             onLoad, onSuccess, onFailure, onClose, onError })
 *     onLoad({ checkout }): the widget is ready for the customer.
 *     onSuccess({ checkout, payment_id, replayed }): replayed is true when the checkout was
 *     already paid as the widget opened (a reopened paid checkout), false for a new payment.
 *     onFailure({ checkout, payment_id, reason }): once per failed payment; the customer may
 *     try again in the same window.
 *     onClose({ checkout }): the window was closed (by the customer, Escape, or close()).
 *     onError({ checkout, code }): the widget cannot be used: the edge refused the checkout
 *     (`code` is its error code, e.g. `not_found`), or it did not report ready within
 *     `loadTimeout` ms (default 15000; `code` is `timeout`). Send the customer to the
 *     checkout's `pay_url` instead, or offer another way to pay.
 *     Each callback fires at most once per window (onFailure once per payment), and a
 *     window gets onLoad or onError, never both.
 *   The returned object has close(), and is also a Promise (then/catch/finally, or
 *   `.promise`) of the outcome, which never rejects: { status: 'succeeded', checkout,
 *   payment_id, replayed } | { status: 'closed', checkout } | { status: 'error', checkout,
 *   code }, whichever comes first.
 *   Opening a checkout whose window is open returns that window's object (one modal).
 *   Lipa.close(checkout?) closes that checkout's window, or every Lipa window.
 *   <script src=".../lipa.js" data-checkout="co_…" data-client-secret="…" data-locale="sw"></script>
 *     renders a pay button and dispatches `lipa:load`, `lipa:success`, `lipa:failure`,
 *     `lipa:close` and `lipa:error` events (detail = the callback's argument) on document.
 *
 * `locale` is `en`, `fr` or `sw`; without it the customer's browser languages decide.
 * `appearance` is `{ theme: 'light' | 'dark' | 'auto', variables: { colorPrimary,
 * colorBackground, colorText, colorDanger, borderRadius, fontFamily } }`; the widget checks it
 * and warns in the console about anything it refuses (e.g. a pair below WCAG AA contrast).
 *
 * Every message is checked for Lipa's origin, this instance's iframe and this instance's id,
 * so two widgets on one page never answer each other. The loader's styles are a constructed
 * stylesheet, so a page's Content-Security-Policy needs no 'unsafe-inline' for them.
 */
(function () {
  'use strict';
  if (window.Lipa) return;
  var script = document.currentScript;
  var ORIGIN = new URL(script && script.src ? script.src : '/', location.href).origin;
  var count = 0;
  var styled = false;
  // The open windows, by checkout id.
  var windows = {};
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
    var text =
      '.lipa-overlay{position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;' +
      'justify-content:center;background:rgba(17,24,39,.55)}' +
      '.lipa-frame{width:420px;height:640px;max-height:92vh;border:0;border-radius:14px;background:#fff;' +
      'box-shadow:0 20px 50px rgba(0,0,0,.3)}' +
      '.lipa-close{position:absolute;top:10px;right:12px;width:40px;height:40px;border:0;border-radius:20px;' +
      'background:rgba(255,255,255,.92);font:24px/40px system-ui,sans-serif;cursor:pointer;color:#111}' +
      '@media (max-width:480px){.lipa-frame{width:100vw;height:100vh;max-height:none;border-radius:0}}';
    // A constructed stylesheet is not inline style: a strict style-src allows it.
    if (window.CSSStyleSheet && 'adoptedStyleSheets' in document) {
      try {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(text);
        document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
        return;
      } catch (e) { /* fall back below */ }
    }
    var css = document.createElement('style');
    css.textContent = text;
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
    if (windows[opts.checkout]) return windows[opts.checkout];
    style();
    var instance = 'w' + (++count) + Math.random().toString(36).slice(2, 10);
    var lang = language(opts.locale);
    var words = WORDS[lang];
    var fired = {};
    var closed = false;
    var previous = document.activeElement;
    var settle;
    var promise = new Promise(function (resolve) { settle = resolve; });
    var timeout = opts.loadTimeout > 0 ? opts.loadTimeout : 15000;
    var timer = setTimeout(function () { failed('timeout'); }, timeout);

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
      if (fired[key]) return false;
      fired[key] = true;
      call(fn, arg);
      return true;
    }
    function outcome(status, fields) {
      var o = { status: status, checkout: opts.checkout };
      for (var k in fields) o[k] = fields[k];
      settle(o);
    }
    function failed(code) {
      clearTimeout(timer);
      if (closed || fired.load) return;
      if (once('error', opts.onError, { checkout: opts.checkout, code: code })) {
        outcome('error', { code: code });
      }
    }
    function onMessage(ev) {
      if (ev.origin !== ORIGIN || ev.source !== frame.contentWindow) return;
      var d = ev.data;
      if (!d || d.source !== 'lipa' || d.instance !== instance) return;
      if (d.type === 'ready') {
        clearTimeout(timer);
        if (!fired.error) once('load', opts.onLoad, { checkout: opts.checkout });
      } else if (d.type === 'error') {
        failed(String(d.code || 'unexpected'));
      } else if (d.type === 'success') {
        // replayed: the checkout was already paid when the widget opened (this success was
        // reported before): show the receipt, do not fulfil again.
        var paid = { payment_id: d.payment_id, replayed: d.replayed === 'true' };
        if (once('success', opts.onSuccess,
          { checkout: opts.checkout, payment_id: paid.payment_id, replayed: paid.replayed })) {
          outcome('succeeded', paid);
        }
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
      clearTimeout(timer);
      if (windows[opts.checkout] === handle) delete windows[opts.checkout];
      window.removeEventListener('message', onMessage);
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('focusin', onFocus);
      overlay.remove();
      if (previous && previous.focus) previous.focus();
      once('close', opts.onClose, { checkout: opts.checkout });
      outcome('closed', {});
    }
    // The window's handle: close(), and a thenable of the outcome (settled once: the first
    // outcome wins, later ones leave it as it is).
    var handle = {
      close: close,
      promise: promise,
      then: function (a, b) { return promise.then(a, b); },
      catch: function (b) { return promise.catch(b); },
      finally: function (f) { return promise.finally(f); }
    };
    windows[opts.checkout] = handle;
    window.addEventListener('message', onMessage);
    document.addEventListener('keydown', onKey);
    document.addEventListener('focusin', onFocus);
    document.body.appendChild(overlay);
    frame.focus();
    return handle;
  }

  // Closes `checkout`'s window, or every open window.
  function closeWindows(checkout) {
    Object.keys(windows).forEach(function (id) {
      if (checkout === undefined || id === checkout) windows[id].close();
    });
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
        onLoad: emit('load'), onSuccess: emit('success'), onFailure: emit('failure'),
        onClose: emit('close'), onError: emit('error')
      });
    };
    el.parentNode.insertBefore(button, el.nextSibling);
  }

  window.Lipa = { open: open, close: closeWindows, version: '0.2.0' };
  if (script) declarative(script);
})();
