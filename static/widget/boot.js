// Starts the Lipa widget, and keeps a live line to its checkout: a WebSocket on which the edge
// sends the latest payment (as the widget reads it) on connect and after every change, so the
// widget's wait ends at once with the news and needs no read of its own. When the line is down
// (blocked, failed) the widget polls on its own cadence, and the line is retried with backoff.
import init from './lipa_widget.js';

const id = location.pathname.split('/').pop();
const secret = new URLSearchParams(location.hash.slice(1)).get('cs');
const waiting = new Set();
let news; // the latest payment announced and not yet handed to a wait
let socket;
let retryMs = 1000;

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  socket = new WebSocket(`${scheme}://${location.host}/api/checkouts/${id}/live`, ['lipa.v1', `cs.${secret}`]);
  socket.onopen = () => { retryMs = 1000; };
  socket.onmessage = (e) => {
    news = JSON.parse(e.data);
    waiting.forEach((wake) => wake());
  };
  socket.onclose = () => {
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  };
}

// The widget's wait between reads: `ms` at most (15 s while the line is up, since the edge
// speaks first), over as soon as the edge announces a payment; resolves with that payment, or
// with nothing when the time ran out (the widget then reads the checkout itself).
globalThis.lipaWait = (ms) => new Promise((resolve) => {
  const wake = () => { clearTimeout(timer); waiting.delete(wake); resolve(news); news = undefined; };
  const timer = setTimeout(wake, socket?.readyState === WebSocket.OPEN ? Math.max(ms, 15000) : ms);
  waiting.add(wake);
  if (news) wake();
});

if (id && secret) connect();
init();
