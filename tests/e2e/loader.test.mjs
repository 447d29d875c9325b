// The loader's whole API (static/lipa.js) and the Content-Security-Policy a merchant copies:
// the demo shop serves a strict CSP with exactly the README's entries for Lipa, and a customer
// pays under it with no violation; onLoad / onError / the Promise / Lipa.close each behave
// as the README says, every callback once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, Shop, EDGE, SANDBOX, createCheckout } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const DIALOG = { name: 'Pay with mobile money' };

/** A page that records every CSP violation reported in its main frame. */
async function watchedPage() {
  const opened = await openPage(browser);
  await opened.page.addInitScript(() => {
    if (window !== window.top) return;
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return opened;
}

const violations = (page) => page.evaluate(() => window.__violations);

for (const [name, query] of [['Lipa.open', '?integration=js'], ['the script tag', '']]) {
  test(`under the shop's strict CSP (README's entries only), a customer pays with ${name} and no violation`, async () => {
    const { context, page, errors } = await watchedPage();
    const response = await page.goto(`${SANDBOX}/shop${query}`);
    const csp = response.headers()['content-security-policy'];
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    // Exactly the README's entries for Lipa, beside the shop's own nonce and 'self'.
    assert.deepEqual(directives['script-src'].filter((s) => !s.startsWith("'nonce-")), [EDGE]);
    assert.deepEqual(directives['frame-src'], [EDGE]);
    assert.deepEqual(directives['connect-src'], ["'self'"]);
    assert.deepEqual(directives['default-src'], ["'none'"]);
    assert.ok(!csp.includes('unsafe'), csp);
    const shop = new Shop(page);
    await page.getByRole('button', { name: 'Pay with mobile money' }).click();
    await shop.widget.getByRole('radio', { name: 'M-Pesa' }).waitFor();
    await shop.pay('0712 000 001');
    await shop.heading('Payment successful').waitFor({ timeout: 20000 });
    await page.getByRole('status').getByText('Thank you! Your payment was received.').waitFor();
    await shop.widget.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('dialog', DIALOG).waitFor({ state: 'detached' });
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(errors, []);
    // The watch can fail: inline code without the nonce is refused and reported.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__ran = true';
      document.body.append(s);
    });
    await page.waitForFunction(() => window.__violations.length > 0);
    assert.match((await violations(page))[0], /^script-src/);
    assert.equal(await page.evaluate(() => window.__ran), undefined);
    await context.close();
  });
}

/** The shop page (for lipa.js under its CSP) with a fresh checkout to open from the test. */
async function loaderPage() {
  const opened = await watchedPage();
  await opened.page.goto(`${SANDBOX}/shop?integration=js`);
  const checkout = await createCheckout({ reference: `loader-${Date.now()}-${Math.random().toString(36).slice(2, 8)}` });
  return { ...opened, checkout };
}

/** Opens `checkout` with callbacks recorded in window.__calls; `extra` adds options. */
function open(page, checkout, extra = {}) {
  return page.evaluate(([id, cs, extra]) => {
    window.__calls = window.__calls || [];
    window.__outcomes = window.__outcomes || [];
    const record = (name) => (arg) => window.__calls.push([name, arg && (arg.code || arg.payment_id || '')]);
    const handle = Lipa.open({
      ...extra, checkout: id, clientSecret: cs,
      onLoad: record('load'), onSuccess: record('success'), onFailure: record('failure'),
      onClose: record('close'), onError: record('error'),
    });
    window.__handles = window.__handles || [];
    if (!window.__handles.includes(handle)) handle.then((o) => window.__outcomes.push(o));
    window.__handles.push(handle);
  }, [checkout.id, extra.clientSecret ?? checkout.client_secret, { ...extra, clientSecret: undefined }]);
}

const calls = (page) => page.evaluate(() => window.__calls);
const outcomes = (page) => page.evaluate(() => window.__outcomes);

test('onLoad once when ready; opening the same checkout twice shows one modal; await gives the outcome', async () => {
  const { context, page, errors, checkout } = await loaderPage();
  await open(page, checkout);
  await open(page, checkout);
  const shop = new Shop(page);
  await shop.widget.getByRole('radio', { name: 'M-Pesa' }).waitFor();
  await page.waitForFunction(() => window.__calls.length > 0);
  assert.equal(await page.getByRole('dialog', DIALOG).count(), 1);
  assert.equal(await page.evaluate(() => window.__handles[0] === window.__handles[1]), true, 'the same window');
  assert.deepEqual(await calls(page), [['load', '']]);

  await shop.pay('0712 000 001');
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  await page.waitForFunction(() => window.__outcomes.length > 0);
  const [outcome] = await outcomes(page);
  assert.equal(outcome.status, 'succeeded');
  assert.equal(outcome.checkout, checkout.id);
  assert.match(outcome.payment_id, /^pay_/);
  assert.equal(outcome.replayed, false);
  // `await` on the returned object gives the same outcome.
  assert.deepEqual(await page.evaluate(async () => await window.__handles[0]), outcome);
  assert.deepEqual(await page.evaluate(async () => await window.__handles[0].promise), outcome);

  await shop.widget.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('dialog', DIALOG).waitFor({ state: 'detached' });
  assert.deepEqual(await calls(page), [['load', ''], ['success', outcome.payment_id], ['close', '']]);
  assert.deepEqual(await outcomes(page), [outcome], 'settled once: the close after success changes nothing');
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('open, close, open again works; Lipa.close() closes it; each window fires onClose once and settles closed', async () => {
  const { context, page, errors, checkout } = await loaderPage();
  const shop = new Shop(page);
  await open(page, checkout);
  await shop.widget.getByRole('radio', { name: 'M-Pesa' }).waitFor();
  await page.evaluate(() => window.__handles[0].close());
  await page.getByRole('dialog', DIALOG).waitFor({ state: 'detached' });
  await page.evaluate(() => window.__handles[0].close()); // a second close does nothing

  await open(page, checkout);
  await shop.widget.getByRole('radio', { name: 'M-Pesa' }).waitFor();
  assert.equal(await page.getByRole('dialog', DIALOG).count(), 1);
  await page.waitForFunction(() => window.__calls.filter(([n]) => n === 'load').length === 2);
  assert.equal(await page.evaluate(() => window.__handles[0] !== window.__handles[1]), true, 'a new window');

  await page.evaluate(() => Lipa.close());
  await page.getByRole('dialog', DIALOG).waitFor({ state: 'detached' });
  await page.evaluate(() => Lipa.close()); // nothing open: nothing happens
  assert.deepEqual(await calls(page), [['load', ''], ['close', ''], ['load', ''], ['close', '']]);
  assert.deepEqual((await outcomes(page)).map((o) => o.status), ['closed', 'closed']);
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('onError when the edge refuses the checkout (its code, at once), never onLoad; the outcome is an error', async () => {
  const { context, page, errors, checkout } = await loaderPage();
  // A long timeout: the error comes from the widget's message, not from the clock.
  await open(page, checkout, { clientSecret: `${checkout.client_secret}x`, loadTimeout: 600000 });
  await page.waitForFunction(() => window.__outcomes.length > 0);
  const [[name, code]] = await calls(page);
  assert.equal(name, 'error');
  assert.ok(code && code !== 'timeout', code);
  assert.deepEqual(await outcomes(page), [{ status: 'error', checkout: checkout.id, code }]);
  // The merchant falls back (here: closes); onClose follows, onLoad never comes.
  await page.evaluate((id) => Lipa.close(id), checkout.id);
  await page.getByRole('dialog', DIALOG).waitFor({ state: 'detached' });
  assert.deepEqual(await calls(page), [['error', code], ['close', '']]);
  // The widget's refused calls (its read, its live channel) are the only console errors.
  assert.deepEqual(errors.filter((e) => !e.includes(`/api/checkouts/${checkout.id}`)), []);
  assert.deepEqual(await violations(page), []);
  await context.close();
});

test('onError with code timeout when the widget never reports ready', async () => {
  const { context, page, errors, checkout } = await loaderPage();
  // The widget's page never loads its code: it can never post ready.
  await page.route(`${EDGE}/pay/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>nothing</title>' }));
  await open(page, checkout, { loadTimeout: 300 });
  await page.waitForFunction(() => window.__outcomes.length > 0);
  assert.deepEqual(await calls(page), [['error', 'timeout']]);
  assert.deepEqual(await outcomes(page), [{ status: 'error', checkout: checkout.id, code: 'timeout' }]);
  assert.deepEqual(errors, []);
  await context.close();
});
