// The hosted payment page (issue #17): a checkout's pay_url works on its own, sends the
// customer back to the merchant's success_url / cancel_url, and works with JavaScript off
// through server-rendered forms (the same Checkout object rules as the widget).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  launch, openPage, EDGE, SANDBOX, MERCHANT_KEY, createCheckout, widgetCall, smsCodeFor,
  eventually, unexpected, providerRequestsFor, verificationCodeFor, handsetPrompt,
} from './support.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOP = 'Duka Demo Shop';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The merchant's server reading a checkout with its secret key. */
async function merchantCheckout(id) {
  const res = await fetch(`${EDGE}/v1/checkouts/${id}`, { headers: { Authorization: `Bearer ${MERCHANT_KEY}` } });
  assert.equal(res.status, 200);
  return res.json();
}

/** A browser context with scripts off, as a customer whose browser runs none. */
async function noScriptPage({ width = 390 } = {}) {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 800 } });
  const page = await context.newPage();
  return { context, page };
}

/**
 * axe-core's WCAG 2.2 A/AA violations on a no-script page as the customer's browser built it.
 * axe cannot run inside a page whose scripts are off (its scheduling never fires), so the
 * document the no-script browser parsed (its `<noscript>` content as elements) is shown, with
 * no script, on the edge's origin in a page where axe can run; a reload it asks for is
 * answered 204 (the page stays). `skip` names rules left out, each with its reason at the call.
 */
async function violations(page, screen, skip = []) {
  const html = (await page.content())
    .replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '')
    .replace(/<\/?noscript>/g, '');
  const context = await browser.newContext({ viewport: page.viewportSize() });
  const copy = await context.newPage();
  await copy.route(`${EDGE}/a11y-copy`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await copy.route(`${EDGE}/pay/**`, (route) => route.fulfill({ status: 204 }));
  await copy.goto(`${EDGE}/a11y-copy`);
  await copy.evaluate(`${AXE}; 0`);
  const found = await copy.evaluate(async (rules) => {
    const result = await globalThis.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      rules: Object.fromEntries(rules.map((r) => [r, { enabled: false }])),
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, skip);
  await context.close();
  return found.map((v) => `${screen}: ${v}`);
}

async function approveOnHandset(payer) {
  const prompt = await handsetPrompt(payer);
  const res = await fetch(`${SANDBOX}/handset/api/answer`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ provider: prompt.provider, transaction_id: prompt.transaction_id, approve: true }),
  });
  assert.equal(res.status, 200);
}

async function shopEvents(checkoutId) {
  return (await fetch(`${SANDBOX}/shop/api/events?checkout=${checkoutId}`)).json();
}

test('pay_url works alone: link token only, its own checkout only, no referrer, clear refusals', async () => {
  const a = await createCheckout({ success_url: 'https://shop.example/ok', cancel_url: 'http://127.0.0.1:9/cancel' });
  const b = await createCheckout();
  const url = new URL(a.pay_url);
  assert.equal(url.origin, EDGE);
  assert.equal(url.pathname, `/pay/${a.id}`);
  const token = url.searchParams.get('t');
  assert.match(token, /^lk_[a-z2-9]{32}$/);
  assert.ok(!a.pay_url.includes(a.client_secret), 'the client secret never travels in the link');
  assert.ok(a.expires_at_ms > Date.now() + 23 * 3600e3 && a.expires_at_ms <= Date.now() + 24 * 3600e3);

  const res = await fetch(a.pay_url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.match(res.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  assert.match(await res.text(), /<h1>Pay KES 1,500\.00<\/h1>/);
  // A's token opens nothing else; a made-up one opens nothing.
  for (const wrong of [`${EDGE}/pay/${b.id}?t=${token}`, `${EDGE}/pay/${a.id}?t=lk_${'x'.repeat(32)}`]) {
    const r = await fetch(wrong);
    assert.equal(r.status, 404);
    assert.match(await r.text(), /This checkout is not available/);
  }
  // The link token can do what the client secret can for its checkout, nothing more.
  const read = await widgetCall({ id: a.id, client_secret: token }, 'GET');
  assert.equal(read.status, 200);
  assert.equal(read.body.success_url, 'https://shop.example/ok');
  assert.equal((await widgetCall({ id: b.id, client_secret: token }, 'GET')).status, 404);
  const merchant = await fetch(`${EDGE}/v1/checkouts/${a.id}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(merchant.status, 401);

  // Return URLs and expiry are validated, each refusal naming its field.
  for (const [field, value] of [
    ['success_url', 'http://shop.example/ok'], ['cancel_url', 'javascript:alert(1)'],
    ['success_url', 'https://user:pw@shop.example/'], ['expires_at_ms', Date.now() - 1000],
    ['expires_at_ms', Date.now() + 31 * 24 * 3600e3],
  ]) {
    const r = await fetch(`${EDGE}/v1/checkouts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${MERCHANT_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: 100, currency: 'KES', country: 'KE', reference: 'r-1', [field]: value }),
    });
    assert.equal(r.status, 400, `${field}=${value}`);
    assert.equal((await r.json()).error.field, field);
  }

  // A form post must carry the checkout's CSRF token: without it nothing starts.
  const forged = await fetch(`${EDGE}/pay/${a.id}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: token, csrf: 'nope', action: 'pay', operator: 'mpesa', phone: '0712 171 001' }),
    redirect: 'manual',
  });
  assert.equal(forged.status, 404);
  assert.equal((await merchantCheckout(a.id)).payments.length, 0);
});

test('redirect: the shop sends the customer to pay_url, the widget takes over, success_url, the server confirms', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${SANDBOX}/shop/hosted`);
  await page.getByRole('button', { name: "Pay on Lipa's page" }).click();
  await page.waitForURL((u) => u.href.startsWith(`${EDGE}/pay/co_`));
  const checkoutId = new URL(page.url()).pathname.split('/').pop();
  // The WebAssembly widget replaces the server-rendered form once it is ready.
  await page.waitForFunction(() => !document.getElementById('lipa-page'));
  await page.getByRole('radio', { name: 'M-Pesa' }).check();
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 171 101');
  await page.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await page.waitForURL((u) => u.href.startsWith(`${SANDBOX}/shop/hosted/return`), { timeout: 20000 });
  assert.equal(new URL(page.url()).searchParams.get('checkout_id'), checkoutId);
  // The shop's server read the checkout with its key before saying so.
  await page.getByRole('status').getByText(/^Paid: Lipa's API confirms payment pay_/).waitFor();
  const read = await merchantCheckout(checkoutId);
  assert.equal(read.status, 'paid');
  await eventually(async () => {
    const events = await shopEvents(checkoutId);
    assert.ok(events.some((e) => e.kind === 'payment.succeeded' && e.verified), JSON.stringify(events));
  });
  assert.deepEqual(errors, []);
  await context.close();
});

test('Cancel returns to cancel_url; a late approval after leaving still reaches the webhook', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${SANDBOX}/shop/hosted`);
  await page.getByRole('button', { name: "Pay on Lipa's page" }).click();
  await page.waitForURL((u) => u.href.startsWith(`${EDGE}/pay/co_`));
  const checkoutId = new URL(page.url()).pathname.split('/').pop();
  await page.waitForFunction(() => !document.getElementById('lipa-page'));
  // A number that waits for a person on the handset.
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 171 299');
  await page.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await page.getByRole('heading', { name: 'Check your phone' }).waitFor();
  // The widget's Cancel on the waiting screen.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForURL(`${SANDBOX}/shop/hosted/cancelled`);
  await page.getByRole('heading', { name: 'Payment cancelled' }).waitFor();

  // The customer approves on the phone after leaving: the shop still hears of it.
  await approveOnHandset('+254712171299');
  await eventually(async () => {
    const events = await shopEvents(checkoutId);
    assert.ok(events.some((e) => e.kind === 'payment.succeeded' && e.verified), JSON.stringify(events));
  }, { timeout: 30000 });
  assert.equal((await merchantCheckout(checkoutId)).status, 'paid');

  // The page's own "Cancel and return to …" link (with or without the widget) goes back too.
  await page.goto(`${SANDBOX}/shop/hosted`);
  await page.getByRole('button', { name: "Pay on Lipa's page" }).click();
  await page.getByRole('link', { name: `Cancel and return to ${SHOP}` }).click();
  await page.getByRole('heading', { name: 'Payment cancelled' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('without a success_url the widget shows the receipt, and its Done is not a cancel', async () => {
  const c = await createCheckout({ cancel_url: `${SANDBOX}/shop/hosted/cancelled` });
  const { context, page, errors } = await openPage(browser);
  await page.goto(c.pay_url);
  await page.waitForFunction(() => !document.getElementById('lipa-page'));
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 171 301');
  await page.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await page.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 20000 });
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('heading', { name: 'Payment successful' }).waitFor();
  assert.ok(page.url().startsWith(`${EDGE}/pay/${c.id}`), page.url());
  assert.deepEqual(errors, []);
  await context.close();
});

test('scripts off: the redirect flow pays an approve number through plain forms', async () => {
  const { context, page } = await noScriptPage();
  await page.goto(`${SANDBOX}/shop/hosted`);
  await page.getByRole('button', { name: "Pay on Lipa's page" }).click();
  await page.waitForURL((u) => u.href.startsWith(`${EDGE}/pay/co_`));
  const checkoutId = new URL(page.url()).pathname.split('/').pop();
  // The same validation, in the same words, as the widget's.
  await page.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await page.getByRole('alert').getByText('Enter your mobile money number.').waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Mobile money number' }).getAttribute('aria-invalid'), 'true');
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 17');
  await page.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await page.getByRole('alert').getByText('A Kenya mobile number has 9 digits after +254 (or 10 starting with 0).').waitFor();

  await page.getByRole('radio', { name: 'M-Pesa' }).check();
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 172 001');
  await page.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await page.getByRole('heading', { name: 'Check your phone' }).waitFor();
  // The pending page reloads itself until the result, then the shop's success_url.
  await page.waitForURL((u) => u.href.startsWith(`${SANDBOX}/shop/hosted/return`), { timeout: 30000 });
  await page.getByRole('status').getByText(/^Paid: Lipa's API confirms payment pay_/).waitFor();
  assert.equal((await merchantCheckout(checkoutId)).status, 'paid');
  await context.close();
});

test('scripts but no WebAssembly (as Opera Mini extreme): the forms stay and the waiting page still reloads itself', async () => {
  const c = await createCheckout();
  const { context, page, errors } = await openPage(browser);
  await context.addInitScript(() => { delete globalThis.WebAssembly; });
  await page.goto(c.pay_url);
  await page.getByRole('radio', { name: 'M-Pesa' }).check();
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 172 201');
  await page.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await page.getByRole('heading', { name: 'Check your phone' }).waitFor();
  // hosted.js gave the page the reload <noscript> gives a browser without scripts (it runs
  // after the heading is painted, so the meta is awaited, not counted at once; a page without
  // it never reloads to the success heading below, so the test still fails without it).
  await page.locator('meta[http-equiv="refresh"]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 1);
  await page.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 30000 });
  assert.equal((await merchantCheckout(c.id)).status, 'paid');
  assert.deepEqual(errors, []);
  await context.close();
});

test('scripts off: a declined number says why and the form stays to try again', async () => {
  const c = await createCheckout();
  const { context, page } = await noScriptPage();
  await page.goto(c.pay_url);
  await page.getByRole('radio', { name: 'M-Pesa' }).check();
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 172 106');
  await page.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await page.getByRole('heading', { name: 'Payment failed' }).waitFor({ timeout: 30000 });
  await page.getByText('There is not enough money in this mobile money account.').waitFor();
  await page.getByRole('button', { name: 'Pay KES 1,500.00' }).waitFor();
  const read = await merchantCheckout(c.id);
  assert.equal(read.payments[0].status, 'failed');
  assert.equal(read.payments[0].failure_reason, 'insufficient_funds');
  await context.close();
});

test('scripts off: the one-time-code step, a badly typed code, then the right one', async () => {
  const c = await createCheckout({ amount: 5000, currency: 'UGX', country: 'UG' });
  const { context, page } = await noScriptPage();
  await page.goto(c.pay_url);
  await page.getByRole('radio', { name: 'MTN MoMo' }).check();
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 173 020');
  await page.getByRole('button', { name: 'Pay UGX 5,000' }).click();
  await page.getByRole('heading', { name: 'Enter the code sent to +256 ••• ••• 020' }).waitFor({ timeout: 30000 });
  const input = page.getByRole('textbox', { name: 'One-time code' });
  assert.equal(await input.getAttribute('autocomplete'), 'one-time-code');
  await input.fill('12ab');
  await page.getByRole('button', { name: 'Confirm code' }).click();
  await page.getByRole('alert').getByText('The code is 4 to 8 digits, as sent to your phone.').waitFor();
  await page.getByRole('textbox', { name: 'One-time code' }).fill(await smsCodeFor('+256712173020'));
  await page.getByRole('button', { name: 'Confirm code' }).click();
  await page.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 30000 });
  await page.getByText('UGX 5,000 paid with MTN MoMo from +256 ••• ••• 020.').waitFor();
  assert.equal((await merchantCheckout(c.id)).status, 'paid');
  await context.close();
});

let ghanaSerial = Date.now() % 900;
/** A fresh Ghanaian number that the sandbox approves, and its E.164. */
function ghanaNumber() {
  ghanaSerial += 1;
  const mid = String(100 + (ghanaSerial % 900)).padStart(3, '0');
  return { national: `0557${mid}201`, e164: `+233557${mid}201` };
}

const ghanaCheckout = () => createCheckout({ amount: 5000, currency: 'GHS', country: 'GH', reference: `hosted-gh-${Date.now()}` });

test('scripts off, Ghana: the number is confirmed with the SMS code (a wrong one first), then the payment', async () => {
  const c = await ghanaCheckout();
  const { national, e164 } = ghanaNumber();
  const { context, page } = await noScriptPage();
  await page.goto(c.pay_url);
  await page.getByRole('radio', { name: 'MTN MoMo' }).check();
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill(national);
  const since = Date.now();
  await page.getByRole('button', { name: 'Pay GHS 50.00' }).click();
  await page.getByRole('heading', { name: 'Confirm your number' }).waitFor();
  await page.getByText('We sent a 6-digit code by SMS to +233 ••• ••• 201.').waitFor();
  const field = page.getByRole('textbox', { name: 'Code from the SMS' });
  assert.equal(await field.getAttribute('autocomplete'), 'one-time-code');
  await page.getByRole('button', { name: 'Send a new code' }).waitFor();
  await page.getByRole('link', { name: 'Use another number' }).waitFor();
  // No prompt yet: Xtopay has not heard of this number, and nothing is stored as a payment.
  assert.deepEqual(await providerRequestsFor(e164, 'xtopay'), []);
  assert.equal((await merchantCheckout(c.id)).payments.length, 0);
  const found = await violations(page, 'confirm your number');

  const code = await verificationCodeFor(e164, since);
  await field.fill(code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Confirm number' }).click();
  await page.getByRole('alert').getByText('That code is not right. 2 attempts left.').waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Code from the SMS' }).getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await providerRequestsFor(e164, 'xtopay'), []);
  found.push(...await violations(page, 'confirm your number with an error'));
  assert.deepEqual(found, []);

  await page.getByRole('textbox', { name: 'Code from the SMS' }).fill(code);
  await page.getByRole('button', { name: 'Confirm number' }).click();
  await page.getByRole('heading', { name: 'Check your phone' }).waitFor();
  // The waiting page reloads itself until the result (no success_url: the receipt).
  await page.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 30000 });
  await page.getByText('GHS 50.00 paid with MTN MoMo from +233 ••• ••• 201.').waitFor();
  assert.ok((await providerRequestsFor(e164, 'xtopay')).some((r) => r.path === '/v1/payments/receive'));
  const read = await merchantCheckout(c.id);
  assert.equal(read.status, 'paid');
  assert.equal(read.payments.length, 1);
  await context.close();
});

test('scripts off, Ghana: the confirm-your-number forms keep the CSRF rule and the customer\'s language', async () => {
  const c = await ghanaCheckout();
  const { national, e164 } = ghanaNumber();
  const token = new URL(c.pay_url).searchParams.get('t');
  // A verify form without the checkout's CSRF token checks nothing and starts nothing.
  const since = Date.now();
  assert.equal((await widgetCall({ id: c.id, client_secret: token }, 'POST', '/verify', { operator: 'mtn_momo', phone: national })).status, 200);
  const code = await verificationCodeFor(e164, since);
  const forged = await fetch(`${EDGE}/pay/${c.id}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: token, csrf: 'nope', action: 'verify', operator: 'mtn_momo', phone: national, code }),
    redirect: 'manual',
  });
  assert.equal(forged.status, 404);
  assert.equal((await merchantCheckout(c.id)).payments.length, 0);
  assert.equal((await widgetCall({ id: c.id, client_secret: token }, 'POST', '/payments', { operator: 'mtn_momo', phone: national })).body.error.code, 'phone_not_verified');

  // In French, a badly typed code is refused in French at the code field.
  const fr = await createCheckout({ amount: 5000, currency: 'GHS', country: 'GH' });
  const other = ghanaNumber();
  const { context, page } = await noScriptPage();
  await page.goto(`${fr.pay_url}&l=fr`);
  await page.getByRole('textbox', { name: 'Numéro mobile money' }).fill(other.national);
  await page.getByRole('button', { name: /^Payer / }).click();
  await page.getByRole('heading', { name: 'Confirmez votre numéro' }).waitFor();
  const field = page.getByRole('textbox', { name: 'Code reçu par SMS' });
  assert.equal(await field.getAttribute('autocomplete'), 'one-time-code');
  await page.getByRole('button', { name: 'Envoyer un nouveau code' }).waitFor();
  await page.getByRole('link', { name: 'Utiliser un autre numéro' }).waitFor();
  await field.fill('12');
  await page.getByRole('button', { name: 'Confirmer le numéro' }).click();
  await page.getByRole('alert').getByText('Le code est composé des 6 chiffres du SMS.').waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Code reçu par SMS' }).getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await providerRequestsFor(other.e164, 'xtopay'), []);
  // "Use another number" goes back to the form, still in French.
  await page.getByRole('link', { name: 'Utiliser un autre numéro' }).click();
  await page.getByRole('textbox', { name: 'Numéro mobile money' }).waitFor();
  await page.getByRole('button', { name: /^Payer / }).waitFor();
  await context.close();
});

test('WebAssembly runs, Ghana: the widget takes the page over and confirms the number on its own screen', async () => {
  const c = await ghanaCheckout();
  const { national, e164 } = ghanaNumber();
  const { context, page, errors } = await openPage(browser);
  await page.goto(c.pay_url);
  await page.waitForFunction(() => !document.getElementById('lipa-page'));
  await page.getByRole('radio', { name: 'MTN MoMo' }).check();
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill(national);
  const since = Date.now();
  await page.getByRole('button', { name: 'Pay GHS 50.00' }).click();
  await page.getByRole('heading', { name: 'Confirm your number' }).waitFor();
  await page.getByRole('textbox', { name: 'Code from the SMS' }).fill(await verificationCodeFor(e164, since));
  await page.getByRole('button', { name: 'Confirm number' }).click();
  await page.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 30000 });
  assert.equal((await merchantCheckout(c.id)).status, 'paid');
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('an expired link says so; the edge refuses a payment after the expiry', async () => {
  const c = await createCheckout({ expires_at_ms: Date.now() + 1500 });
  // Wait for the expiry as the merchant's API reports it (no fixed sleep).
  await eventually(async () => assert.equal((await merchantCheckout(c.id)).status, 'closed'), { timeout: 10000 });
  const { context, page } = await noScriptPage();
  const res = await page.goto(c.pay_url);
  assert.equal(res.status(), 410);
  await page.getByRole('heading', { name: 'This payment link has expired' }).waitFor();
  await page.getByText(/^It could be used until \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Ask the shop for a new payment link\.$/).waitFor();
  assert.equal(await page.getByRole('button').count(), 0);
  const fr = await context.newPage();
  await fr.goto(`${c.pay_url}&l=fr`);
  await fr.getByRole('heading', { name: 'Ce lien de paiement a expiré' }).waitFor();
  const start = await widgetCall(c, 'POST', '/payments', { operator: 'mpesa', phone: '0712 174 001' });
  assert.equal(start.status, 409);
  assert.equal(start.body.error.code, 'checkout_closed');
  assert.match(start.body.error.message, /expired/);
  await context.close();
});

test('a forged success_url visit without a paid checkout is shown as unpaid by the API', async () => {
  const c = await createCheckout();
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${SANDBOX}/shop/hosted/return?checkout_id=${c.id}`);
  await page.getByRole('status').getByText(`Not paid: Lipa's API says checkout ${c.id} is open.`).waitFor();
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('desktop to phone: a QR code of the page on a wide screen, none on a phone', async () => {
  const c = await createCheckout();
  const wide = await noScriptPage({ width: 1280 });
  await wide.page.goto(c.pay_url);
  const qr = wide.page.getByRole('img', { name: 'QR code of this payment page' });
  await qr.waitFor();
  assert.ok(await qr.isVisible());
  await wide.page.getByRole('heading', { name: 'Pay on your phone' }).waitFor();
  assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml;base64,/);
  await wide.context.close();
  const phone = await noScriptPage({ width: 390 });
  await phone.page.goto(c.pay_url);
  assert.equal(await phone.page.getByRole('img', { name: 'QR code of this payment page' }).isVisible(), false);
  await phone.context.close();
});

test('axe-core: the no-script pages have no WCAG 2.2 AA violation', async () => {
  const found = [];
  const { context, page } = await noScriptPage();
  const c = await createCheckout({ success_url: `${SANDBOX}/shop/hosted/return`, cancel_url: `${SANDBOX}/shop/hosted/cancelled` });
  await page.goto(c.pay_url);
  await page.getByRole('heading', { name: 'Pay KES 1,500.00' }).waitFor();
  found.push(...await violations(page, 'form'));
  await page.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await page.getByRole('alert').first().waitFor();
  found.push(...await violations(page, 'form with an error'));
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 175 299');
  await page.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await page.getByRole('heading', { name: 'Check your phone' }).waitFor();
  // The pending page reloads itself, as the issue asks (<meta http-equiv="refresh">): axe's
  // meta-refresh rule flags any timed reload. The page offers "Stop refreshing" (WCAG 2.2.1:
  // the customer can turn the timing off), and the stopped page passes every rule.
  found.push(...await violations(page, 'pending', ['meta-refresh']));
  await page.getByRole('link', { name: 'Stop refreshing' }).click();
  await page.getByRole('heading', { name: 'Check your phone' }).waitFor();
  assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 0);
  found.push(...await violations(page, 'pending, not refreshing'));

  const otp = await createCheckout({ amount: 5000, currency: 'UGX', country: 'UG' });
  await page.goto(otp.pay_url);
  await page.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 175 020');
  await page.getByRole('button', { name: 'Pay UGX 5,000' }).click();
  await page.getByRole('heading', { name: 'Enter the code sent to +256 ••• ••• 020' }).waitFor({ timeout: 30000 });
  found.push(...await violations(page, 'one-time code'));
  await page.getByRole('textbox', { name: 'One-time code' }).fill('1');
  await page.getByRole('button', { name: 'Confirm code' }).click();
  await page.getByRole('alert').waitFor();
  found.push(...await violations(page, 'one-time code with an error'));

  const declined = await createCheckout();
  await page.goto(`${declined.pay_url}&l=sw`);
  await page.getByRole('textbox', { name: 'Namba ya pesa kwa simu' }).fill('0712 175 106');
  await page.getByRole('button', { name: /^Lipa KES/ }).click();
  await page.getByRole('heading', { name: 'Malipo hayakufanikiwa' }).waitFor({ timeout: 30000 });
  found.push(...await violations(page, 'failure (sw)'));

  const paid = await createCheckout();
  await page.goto(`${paid.pay_url}&l=fr`);
  await page.getByRole('textbox', { name: 'Numéro mobile money' }).fill('0712 175 101');
  await page.getByRole('button', { name: /^Payer / }).click();
  await page.getByRole('heading', { name: 'Paiement réussi' }).waitFor({ timeout: 30000 });
  found.push(...await violations(page, 'success (fr)'));

  const expired = await createCheckout({ expires_at_ms: Date.now() + 1000 });
  await eventually(async () => assert.equal((await merchantCheckout(expired.id)).status, 'closed'), { timeout: 10000 });
  await page.goto(expired.pay_url);
  found.push(...await violations(page, 'expired'));
  assert.deepEqual(found, []);
  await context.close();
});
