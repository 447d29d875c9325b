// The hosted payment page (a checkout's pay_url) is complete as plain HTML forms. This classic
// script, in ES5 so that old browsers read it, hands the page to the WebAssembly widget where
// ES modules and WebAssembly run. Anywhere else (Opera Mini's extreme mode runs scripts on its
// own server and has no WebAssembly; old and proxy browsers) the forms stay, and a pending
// screen reloads itself with the same <meta http-equiv="refresh"> that <noscript> gives a
// browser without scripts.
(function () {
  var holder = document.getElementById('lipa');
  if (!holder) return;
  // Also called by hosted-widget.js when the widget cannot start.
  window.lipaHostedFallback = function () {
    var seconds = holder.getAttribute('data-refresh');
    if (!seconds) return;
    var meta = document.createElement('meta');
    meta.httpEquiv = 'refresh';
    meta.content = seconds + ';url=' + holder.getAttribute('data-self-url');
    document.head.appendChild(meta);
  };
  var modules = 'noModule' in document.createElement('script');
  var wasm = typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
  if (modules && wasm) {
    var script = document.createElement('script');
    script.type = 'module';
    script.src = '/widget/hosted-widget.js';
    script.onerror = window.lipaHostedFallback;
    document.head.appendChild(script);
  } else {
    window.lipaHostedFallback();
  }
})();
