// The live channel: the Checkout object sends the latest payment on a WebSocket when the widget
// connects and after every change, and the widget shows it without reading the checkout; with
// the socket blocked, polling still gets the customer there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { launch, EDGE, SANDBOX, createCheckout, widgetCall, handsetPrompt } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A payment waiting on the handset page, and the widget open on it. */
async function waitingPayment(phone, { blockLive = false } = {}) {
  const c = await createCheckout({ reference: `live-${Date.now()}` });
  await widgetCall(c, 'GET');
  const started = await widgetCall(c, 'POST', '/payments', { operator: 'mpesa', phone });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const frames = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  const reads = [];
  page.on('request', (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname === `/api/checkouts/${c.id}`) reads.push(Date.now());
  });
  if (blockLive) {
    // The line is refused every time, as a proxy that drops WebSockets would.
    await context.routeWebSocket(/\/live$/, (ws) => ws.close({ code: 1011, reason: 'blocked' }));
  }
  await page.goto(`${EDGE}/pay/${c.id}#cs=${encodeURIComponent(c.client_secret)}`);
  await page.getByRole('heading', { name: 'Check your phone' }).waitFor();
  return { context, page, frames, reads, errors, payment: started.body };
}

async function approve(transactionPayer) {
  const prompt = await handsetPrompt(transactionPayer);
  const res = await fetch(`${SANDBOX}/handset/api/answer`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ provider: prompt.provider, transaction_id: prompt.transaction_id, approve: true }),
  });
  assert.equal(res.status, 200);
}

test('the success screen follows the announced payment, with no read of the checkout', async () => {
  const { context, page, frames, reads, errors, payment } = await waitingPayment('0712 700 099');
  await page.waitForTimeout(500);
  // On connect the edge sent where the payment stood, as the widget reads it.
  const first = JSON.parse(frames[0]);
  assert.equal(first.id, payment.id);
  assert.equal(first.status.state, 'pending');
  assert.equal(first.phone_masked, payment.phone_masked);
  const approvedAt = Date.now();
  await approve('+254712700099');
  await page.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 8000 });
  assert.ok(frames.some((f) => JSON.parse(f).status.state === 'succeeded'), JSON.stringify(frames));
  // The widget reads the checkout only every 15 s while the line is up: the result came on the
  // line, and the widget did not need to read the checkout to show it.
  assert.deepEqual(reads.filter((t) => t >= approvedAt), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('with the live channel blocked, polling still reaches the result', async () => {
  const { context, page, frames } = await waitingPayment('0712 700 199', { blockLive: true });
  await approve('+254712700199');
  await page.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 15000 });
  assert.deepEqual(frames, [], 'nothing came over a socket');
  await context.close();
});

test('the live channel refuses a wrong client secret and plain HTTP', async () => {
  const c = await createCheckout({ reference: `live-auth-${Date.now()}` });
  const plain = await fetch(`${EDGE}/api/checkouts/${c.id}/live`);
  assert.equal(plain.status, 400);
  const upgrade = (protocols) => new Promise((resolve, reject) => {
    const req = request(`${EDGE}/api/checkouts/${c.id}/live`, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': protocols,
      },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    req.end();
  });
  assert.equal(await upgrade('lipa.v1, cs.co_wrong_secret'), 404, 'a wrong secret learns nothing');
  assert.equal(await upgrade('lipa.v1'), 401, 'no secret at all');
  assert.equal(await upgrade(`lipa.v1, cs.${c.client_secret}`), 101);
});

test('a checkout keeps at most 8 live channels: opening a 9th closes the oldest with 1008', async () => {
  const c = await createCheckout({ reference: `live-cap-${Date.now()}` });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${EDGE}/health`);
  const closed = await page.evaluate(async ({ id, secret }) => {
    const closes = [];
    const open = (n) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/api/checkouts/${id}/live`, ['lipa.v1', `cs.${secret}`]);
      ws.onopen = () => resolve(ws);
      ws.onerror = reject;
      ws.onclose = (e) => closes.push({ n, code: e.code, reason: e.reason });
    });
    const sockets = [];
    for (let n = 0; n < 9; n++) sockets.push(await open(n));
    for (let t = 0; t < 100 && closes.length === 0; t++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    return { closes, open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length };
  }, { id: c.id, secret: c.client_secret });
  assert.deepEqual(closed.closes, [{ n: 0, code: 1008, reason: 'too many live channels for this checkout' }]);
  assert.equal(closed.open, 8);
  await context.close();
});
