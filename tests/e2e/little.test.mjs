// Little Pay through the widget (Ugandan Airtel Money): approve, decline, the step-up
// redirect, and RSA-signed callbacks (good, tampered, stale, wrong key).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  launch, openPage, Shop, EDGE, createCheckout, widgetCall, providerRequestsFor, handsetPrompt,
} from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const UGANDA = ['?country=UG', 'Airtel Money'];
const SANDBOX_KEY = readFileSync(new URL('../../sandbox/keys/little_sandbox_private.pem', import.meta.url));

test('approve through Little: intent, process, long-polled status, verified callback', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open(...UGANDA);
  await shop.pay('0752 000 001', 'Airtel Money', 'UGX 5,000');
  await shop.heading('Check your phone').waitFor();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  await shop.webhooks().filter({ hasText: 'payment.succeeded' }).filter({ hasText: 'signature verified' }).first().waitFor({ timeout: 15000 });
  const calls = await providerRequestsFor('+256752000001', 'little');
  assert.ok(calls.some((r) => r.path.endsWith('/process')), JSON.stringify(calls));
  assert.deepEqual(errors, []);
  await context.close();
});

test('decline through Little ends in the failure screen with "Try again"', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open(...UGANDA);
  await shop.pay('0752 000 006', 'Airtel Money', 'UGX 5,000');
  await shop.heading('Payment failed').waitFor({ timeout: 20000 });
  await shop.widget.getByRole('button', { name: 'Try again' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("Little's step-up URL becomes the redirect step", async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open(...UGANDA);
  await shop.pay('0752 000 021', 'Airtel Money', 'UGX 5,000');
  await shop.heading('Finish on the Airtel Money page').waitFor({ timeout: 15000 });
  const [stepUp] = await Promise.all([
    context.waitForEvent('page'),
    shop.widget.getByRole('link', { name: 'Continue to Airtel Money' }).click(),
  ]);
  await stepUp.getByRole('button', { name: 'Approve payment' }).click();
  await stepUp.getByRole('status').getByText('Payment approved').waitFor();
  await stepUp.close();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('Little callbacks: tampered, stale or signed with another key are refused', async () => {
  const c = await createCheckout({ amount: 5000, currency: 'UGX', country: 'UG' });
  const started = await widgetCall(c, 'POST', '/payments', { operator: 'airtel_money', phone: '0752 345 678' });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const intent = (await handsetPrompt('+256752345678')).transaction_id;
  const body = JSON.stringify({ reference: intent, status: 'COMPLETED', payload: {}, amount: 5000, key: 'k', currency: 'UGX', provider: 'AIRTEL', date: new Date().toISOString() }, null, 2);
  const sign = (key, ts, text) => createSign('RSA-SHA256').update(`${ts}.${JSON.stringify(JSON.parse(text))}`).sign(key, 'base64');
  const post = (ts, sig, text = body) => fetch(`${EDGE}/webhooks/little`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-LittlePay-Timestamp': String(ts), 'X-LittlePay-Signature': sig },
    body: text,
  });
  const now = Math.floor(Date.now() / 1000);
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const refused = [
    await post(now, sign(SANDBOX_KEY, now, body), body.replace('COMPLETED', 'FAILED')),
    await post(now - 600, sign(SANDBOX_KEY, now - 600, body)),
    await post(now, sign(stranger, now, body)),
    await post(now, 'bm90IGEgc2lnbmF0dXJl'),
  ];
  for (const res of refused) {
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, 'invalid_signature');
  }
  assert.equal((await widgetCall(c, 'GET')).body.payment.status.state, 'pending');
  // Signed correctly (over JSON.stringify of the pretty body) it is accepted as a hint,
  // and Little's own status, still pending, decides.
  const good = await post(now, sign(SANDBOX_KEY, now, body));
  assert.equal(good.status, 200);
  assert.equal((await widgetCall(c, 'GET')).body.payment.status.state, 'pending');
});
