// Dollr through the widget (Rwanda and Liberia): no webhooks, so every result below is found
// by the Checkout object polling the execution's stored reference_id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, openPage, Shop, SANDBOX, providerRequestsFor, eventually, createCheckout, widgetCall,
} from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const RWANDA = ['?country=RW', 'MTN MoMo'];

async function chargesOf(e164) {
  return (await (await fetch(`${SANDBOX}/_sandbox/charges?phone=${encodeURIComponent(e164)}`)).json()).charges;
}

test('approve through Dollr: the invoice collection in the guide order, found by polling', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open(...RWANDA);
  await shop.pay('0788 000 001', 'MTN MoMo', 'RWF 5,150');
  await shop.heading('Check your phone').waitFor();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  await shop.webhooks().filter({ hasText: 'payment.succeeded' }).filter({ hasText: 'signature verified' }).first().waitFor({ timeout: 15000 });
  const steps = (await providerRequestsFor('+250788000001', 'dollr')).map((r) => `${r.method} ${r.path.replace(/(inv|pty|cpt|ses|acc)_\w+/g, ':id')}`);
  const order = [
    'GET /v1/predictions/mmo-provider-info',
    'POST /v1/parties/create',
    'POST /v1/executions/collection',
  ].map((s) => steps.indexOf(s));
  assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])), JSON.stringify(steps));
  assert.equal(await chargesOf('+250788000001'), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the customer sees the fee before paying when the merchant passes it on', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open(...RWANDA);
  await shop.widget.getByRole('radio', { name: 'MTN MoMo' }).check();
  await shop.widget.getByText('Includes a RWF 150 mobile-money fee').waitFor();
  await shop.widget.getByRole('button', { name: 'Pay RWF 5,150' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('decline through Dollr shows the reason and "Try again"', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open(...RWANDA);
  await shop.pay('0788 000 006', 'MTN MoMo', 'RWF 5,150');
  await shop.heading('Payment failed').waitFor({ timeout: 20000 });
  await shop.widget.getByText(/not enough money/i).waitFor();
  await shop.widget.getByRole('button', { name: 'Try again' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a lost execution answer: the stored reference is polled, never re-executed, one charge', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open(...RWANDA);
  await shop.pay('0788 000 032', 'MTN MoMo', 'RWF 5,150');
  await shop.heading('Payment successful').waitFor({ timeout: 25000 });
  const calls = await providerRequestsFor('+250788000032', 'dollr');
  const executions = calls.filter((r) => r.path === '/v1/executions/collection');
  assert.deepEqual(executions.map((r) => r.status), [503], JSON.stringify(calls));
  assert.ok(calls.some((r) => r.path.startsWith('/v1/status/collection/') && r.status === 200));
  assert.equal(await chargesOf('+250788000032'), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a late approval after the customer closed the widget still reaches the merchant', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open(...RWANDA);
  await shop.pay('0788 000 040', 'MTN MoMo', 'RWF 5,150');
  await shop.heading('Check your phone').waitFor();
  await shop.widget.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('iframe[title="Lipa secure checkout"]').waitFor({ state: 'detached' });
  await shop.webhooks().filter({ hasText: 'payment.succeeded' }).filter({ hasText: 'signature verified' }).first().waitFor({ timeout: 40000 });
  assert.equal(await chargesOf('+250788000040'), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Liberia: Orange Money through Dollr, and a revoked token is refreshed once', async () => {
  const since = Date.now();
  const revoked = await fetch(`${SANDBOX}/_sandbox/dollr/revoke-tokens`, { method: 'POST' });
  assert.equal(revoked.status, 200);
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open('?country=LR', 'MTN MoMo');
  await shop.pay('0770 000 001', 'Orange Money', 'LRD 1,545.00');
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  const log = await (await fetch(`${SANDBOX}/_sandbox/requests?provider=dollr`)).json();
  const calls = log.filter((r) => r.at_ms >= since);
  assert.equal(calls[0].status, 401, `the first call used the revoked token: ${JSON.stringify(calls)}`);
  assert.equal(calls[1].path, '/v1/jwt/client/obtain/token', 'then a fresh token');
  assert.equal(calls[2].path, calls[0].path, 'and the call repeated once with it');
  assert.equal(calls[2].status, 200);
  assert.equal(calls.filter((r) => r.status === 401).length, 1);
  assert.ok((await providerRequestsFor('+231770000001', 'dollr')).some((r) => r.path === '/v1/executions/collection'));
  assert.deepEqual(errors, []);
  await context.close();
});

/** Sets the sandbox's Dollr burst limit: 0 turns every request away with 429; '' puts it back. */
async function dollrBurstLimit(limit) {
  const res = await fetch(`${SANDBOX}/_sandbox/dollr/burst-limit`, { method: 'POST', body: String(limit) });
  assert.equal(res.status, 200);
}

/** Dollr's answers since `sinceMs` (every route, no number needed: a fee preview has none). */
async function dollrAnswersSince(sinceMs) {
  const log = await (await fetch(`${SANDBOX}/_sandbox/requests?provider=dollr`)).json();
  return log.filter((r) => r.at_ms >= sinceMs);
}

const RWANDA_CHECKOUT = { amount: 5000, currency: 'RWF', country: 'RW' };

test('a rate-limited fee preview: Pay waits it out, then the payment goes once', async () => {
  const since = Date.now();
  await dollrBurstLimit(0);
  let pay;
  try {
    const checkout = await createCheckout({ ...RWANDA_CHECKOUT, reference: `dollr-429-${since}` });
    // The creation's own preparation is refused first (nothing else asks for one here).
    await eventually(async () => {
      assert.ok((await dollrAnswersSince(since)).some((r) => r.status === 429), 'no 429 yet');
    }, { interval: 100 });
    const paySent = Date.now();
    pay = widgetCall(checkout, 'POST', '/payments', { operator: 'mtn_momo', phone: '0788 004 101' });
    // Pay is waiting once Dollr has turned its own try away; then Dollr answers again.
    await eventually(async () => {
      assert.ok((await dollrAnswersSince(paySent)).some((r) => r.status === 429), 'Pay has not tried yet');
    }, { interval: 100 });
  } finally {
    await dollrBurstLimit('');
  }
  const started = await pay;
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const calls = await dollrAnswersSince(since);
  assert.ok(calls.some((r) => r.status === 429), 'the preparation was refused first');
  await eventually(async () => assert.equal(await chargesOf('+250788004101'), 1), { timeout: 20000 });
  const executions = (await providerRequestsFor('+250788004101', 'dollr')).filter((r) => r.path === '/v1/executions/collection');
  assert.equal(executions.length, 1, JSON.stringify(executions));
});

test('a fee preview refused for longer than Pay waits: Pay is refused, nothing is sent, Pay again works', async () => {
  const since = Date.now();
  const body = { operator: 'mtn_momo', phone: '0788 004 201' };
  let checkout;
  let refused;
  let paySent;
  let answeredAfterMs;
  await dollrBurstLimit(0);
  try {
    checkout = await createCheckout({ ...RWANDA_CHECKOUT, reference: `dollr-429-long-${since}` });
    paySent = Date.now();
    refused = await widgetCall(checkout, 'POST', '/payments', body);
    answeredAfterMs = Date.now() - paySent;
  } finally {
    await dollrBurstLimit('');
  }
  assert.equal(refused.status, 502, JSON.stringify(refused.body));
  assert.equal(refused.body.error.code, 'provider_unavailable');
  // Pay tried a second apart until five seconds after it was pressed (the creation's own
  // preparation, refused before, is not counted: only answers after Pay was sent).
  const tries = (await dollrAnswersSince(paySent)).filter((r) => r.status === 429);
  assert.ok(tries.length >= 4, `Pay tried ${tries.length} times while waiting`);
  assert.ok(answeredAfterMs >= 3500, `Pay was refused after ${answeredAfterMs} ms, before its wait was out`);
  assert.deepEqual(await providerRequestsFor('+250788004201', 'dollr'), [], 'no request about the customer reached Dollr');
  const again = await widgetCall(checkout, 'POST', '/payments', body);
  assert.equal(again.status, 201, JSON.stringify(again.body));
  await eventually(async () => assert.equal(await chargesOf('+250788004201'), 1), { timeout: 20000 });
});

test('a returning customer is made a Dollr party once: the second payment uses the remembered one', async () => {
  const phone = '0788 004 301';
  for (const round of [1, 2]) {
    const checkout = await createCheckout({ ...RWANDA_CHECKOUT, reference: `dollr-party-${Date.now()}-${round}` });
    const started = await widgetCall(checkout, 'POST', '/payments', { operator: 'mtn_momo', phone });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    await eventually(async () => assert.equal(await chargesOf('+250788004301'), round), { timeout: 20000 });
  }
  const calls = await providerRequestsFor('+250788004301', 'dollr');
  assert.equal(calls.filter((r) => r.path === '/v1/parties/create').length, 1, JSON.stringify(calls.map((r) => r.path)));
  assert.equal(calls.filter((r) => r.path === '/v1/executions/collection').length, 2);
});
