// Shared pieces of the end-to-end suite: the browser, the system's addresses, page objects
// that find elements the way people do (role and accessible name), and console-error capture.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

export const EDGE = process.env.EDGE_URL;
export const SANDBOX = process.env.SANDBOX_URL;
export const MERCHANT_KEY = process.env.MERCHANT_SECRET_KEY;
export const CRISSCROSS_WEBHOOK_SECRET = process.env.CRISSCROSS_WEBHOOK_SECRET;

if (!EDGE || !SANDBOX) {
  throw new Error('EDGE_URL and SANDBOX_URL must be set: run the suite with `cargo xtask test`');
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A fresh page that records every console error and uncaught exception, in any frame. */
export async function openPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`${msg.location().url}: ${msg.text()}`); });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return { context, page, errors };
}

/** The demo shop page and the Lipa widget inside it. */
export class Shop {
  constructor(page) {
    this.page = page;
    this.widget = page.frameLocator('iframe[title="Lipa secure checkout"]');
  }

  async open(query = '', firstOperator = 'M-Pesa') {
    await this.page.goto(`${SANDBOX}/shop${query}`);
    await this.page.getByRole('button', { name: 'Pay with mobile money' }).click();
    await this.widget.getByRole('radio', { name: firstOperator }).waitFor();
    return this;
  }

  async checkoutId() {
    return (await this.page.locator('#checkout-id').textContent()).trim();
  }

  async pay(phone, operator = 'M-Pesa', amount = 'KES 1,500.00') {
    await this.widget.getByRole('radio', { name: operator }).check();
    await this.widget.getByRole('textbox', { name: 'Mobile money number' }).fill(phone);
    await this.widget.getByRole('button', { name: `Pay ${amount}` }).click();
  }

  heading(name) {
    return this.widget.getByRole('heading', { name });
  }

  /**
   * A guest on a route that verifies phones (Xtopay): after Pay, types the code the sandbox's
   * SMS gateway received for `e164` (sent at or after `sinceMs`) and confirms it.
   */
  async confirmNumber(e164, sinceMs) {
    await this.heading('Confirm your number').waitFor();
    const code = await verificationCodeFor(e164, sinceMs);
    await this.widget.getByRole('textbox', { name: 'Code from the SMS' }).fill(code);
    await this.widget.getByRole('button', { name: 'Confirm number' }).click();
  }

  callbacks() {
    return this.page.getByRole('list', { name: 'Callbacks' }).getByRole('listitem');
  }

  webhooks() {
    return this.page.getByRole('list', { name: 'Webhooks received' }).getByRole('listitem');
  }
}

/** Creates a checkout through the merchant API. */
export async function createCheckout(body = {}) {
  // As a careful merchant server: an Idempotency-Key, and one resend when the answer is lost
  // (`wrangler dev`'s proxy drops about one POST in ten thousand: workers-sdk#14641).
  const key = `t-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const send = () => fetch(`${EDGE}/v1/checkouts`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${MERCHANT_KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify({ amount: 150000, currency: 'KES', country: 'KE', reference: key, ...body }),
  });
  let res = await send();
  if (res.status >= 500) res = await send();
  assert.equal(res.status, 201, await res.clone().text());
  return res.json();
}

/**
 * What Cloudflare's edge adds to every request a Worker gets: the client's address. Under
 * \`wrangler dev\` Miniflare's entry worker adds this machine's when a client does not say one;
 * a loopback client is not IP-limited (edge/src/ip_limit.rs), so the tests' own calls are not.
 */
export const CLIENT_IP = { 'CF-Connecting-IP': '127.0.0.1' };

/**
 * The \`n\`th customer's address, from the benchmarking range 198.18.0.0/15 (RFC 2544), as
 * \`CF-Connecting-IP\`: the load runs and the bench give each customer its own, so the per-IP
 * limit is asked on every Pay and code as in production (the bench serves the edge on workerd
 * without Miniflare's entry worker, which would otherwise add none).
 */
export function customerIp(n) {
  const i = n % 131072;
  return { 'CF-Connecting-IP': `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}` };
}

/** Calls the widget API the way the widget does, from this machine or from \`client\` (its \`CF-Connecting-IP\`). */
export async function widgetCall(checkout, method, path = '', body, client = CLIENT_IP) {
  const res = await fetch(`${EDGE}/api/checkouts/${checkout.id}${path}`, {
    method,
    headers: { Authorization: `Bearer ${checkout.client_secret}`, 'Content-Type': 'application/json', ...client },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    // Not Lipa's answer: `wrangler dev`'s proxy lost it ("Your worker restarted
    // mid-request", workers-sdk#14641). `lost` says so; a test that did not expect it fails on
    // the status it asserts, with this text beside it.
    return { status: res.status, body: { raw: text.slice(0, 300) }, lost: res.status >= 500 };
  }
}

/** The sandbox's log of provider requests that carried this number (one provider or all). */
export async function providerRequestsFor(e164, provider) {
  const which = provider ? `&provider=${provider}` : '';
  const res = await fetch(`${SANDBOX}/_sandbox/requests?phone=${encodeURIComponent(e164)}${which}`);
  return res.json();
}

/** The sandbox handset's prompt to this number (its provider, transaction id, amount), once it is there. */
export async function handsetPrompt(e164) {
  return eventually(async () => {
    const prompts = await (await fetch(`${SANDBOX}/handset/api/prompts`)).json();
    const prompt = prompts.find((p) => p.payer === e164);
    if (!prompt) throw new Error(`no prompt to ${e164} yet`);
    return prompt;
  });
}

/** The one-time code the sandbox "sent by SMS" to this number. */
export async function smsCodeFor(e164) {
  return eventually(async () => {
    const prompts = await (await fetch(`${SANDBOX}/handset/api/prompts`)).json();
    const sms = prompts.find((p) => p.payer === e164 && p.otp);
    if (!sms) throw new Error(`no code for ${e164} yet`);
    return sms.otp;
  });
}

/** The SMS messages the sandbox's gateway received for this number, newest first. */
export async function smsTo(e164) {
  return (await fetch(`${SANDBOX}/handset/api/sms?to=${encodeURIComponent(e164)}`)).json();
}

/** The phone-verification code Lipa texted to this number at or after `sinceMs`. */
export async function verificationCodeFor(e164, sinceMs = 0) {
  return eventually(async () => {
    const sms = (await smsTo(e164)).find((m) => m.at_ms >= sinceMs - 1000 && /^\d{6} is your code/.test(m.message));
    if (!sms) throw new Error(`no verification SMS for ${e164} yet`);
    return sms.message.slice(0, 6);
  });
}

/**
 * Through the widget API, as the widget does for a guest on a route that verifies phones:
 * asks for a code, reads it from the sandbox's SMS gateway and confirms it. Returns the check's
 * answer.
 */
export async function verifyGuest(checkout, operator, phone, e164) {
  const since = Date.now();
  const sent = await widgetCall(checkout, 'POST', '/verify', { operator, phone });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  if (sent.body.verified) return sent;
  const code = await verificationCodeFor(e164, since);
  const checked = await widgetCall(checkout, 'POST', '/verify/check', { phone, code });
  assert.equal(checked.status, 200, JSON.stringify(checked.body));
  assert.equal(checked.body.verified, true);
  return checked;
}

/** A national number (`024 000 0001`) in E.164 for a country Lipa serves. */
export function e164Of(country, national) {
  const code = { KE: '254', UG: '256', GH: '233', RW: '250', LR: '231', CI: '225' }[country];
  const digits = national.replace(/\D/g, '');
  return `+${code}${country === 'CI' ? digits : digits.replace(/^0/, '')}`;
}

/**
 * Before a widget-API Pay: when the checkout's view says the operator's route verifies
 * phones (Xtopay's do), verifies the guest's number as the widget would.
 */
export async function verifyIfAsked(checkout, operator, phone) {
  const view = (await widgetCall(checkout, 'GET')).body;
  if (view.operators?.find((o) => o.id === operator)?.verify_phone) {
    await verifyGuest(checkout, operator, phone, e164Of(view.country, phone));
  }
}

/**
 * Console errors other than the browser's own report of an HTTP refusal the test provoked on
 * purpose (Chromium logs every 4xx fetch as "Failed to load resource").
 */
export function unexpected(errors, ...expected) {
  return errors.filter((e) => !expected.some(([path, status]) =>
    e.includes(path) && e.includes(`status of ${status}`)));
}

export async function eventually(fn, { timeout = 15000, interval = 250 } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try { return await fn(); } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw last;
}

/** The merchant events of one checkout, oldest first, paging back until `sinceMs`. */
export async function eventsOfCheckout(checkoutId, sinceMs = Date.now() - 600000) {
  const mine = [];
  let before = '';
  for (;;) {
    const res = await fetch(`${EDGE}/v1/events?limit=100${before}`, { headers: { Authorization: `Bearer ${MERCHANT_KEY}` } });
    const { events } = await res.json();
    mine.push(...events.filter((e) => e.data.checkout_id === checkoutId));
    const oldest = events.at(-1)?.created_at_ms;
    if (events.length < 100 || oldest < sinceMs) break;
    before = `&before_ms=${oldest}`;
  }
  return mine.sort((a, b) => a.created_at_ms - b.created_at_ms);
}
