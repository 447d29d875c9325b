// Phone verification for guests (Xtopay's routes verify by default): the code arrives by SMS
// on the sandbox's handset page and is typed into the widget before any prompt; three wrong
// codes lock it; a Pay without verification is refused naming `phone`; a number the merchant
// locked skips it; codes checked at once spend at most the tries left; nothing about the code
// reaches the merchant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, openPage, Shop, SANDBOX, EDGE, MERCHANT_KEY, createCheckout, widgetCall, providerRequestsFor,
  verificationCodeFor, smsTo, eventually,
} from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

let serial = Date.now() % 900;
/** A fresh Ghanaian number ending in `suffix` (the sandbox's behaviour), and its E.164. */
function number(suffix) {
  serial += 1;
  const mid = String(100 + (serial % 900)).padStart(3, '0');
  return { national: `0247${mid}0${suffix}`, e164: `+233247${mid}0${suffix}` };
}

const ghana = () => createCheckout({ amount: 5000, currency: 'GHS', country: 'GH', reference: `verify-${Date.now()}` });

test('a guest on an Xtopay route gets the code on the handset page, types it (a wrong one first) and pays', async () => {
  const { context, page, errors } = await openPage(browser);
  const { national, e164 } = number('01');
  const shop = await new Shop(page).open('?country=GH', 'MTN MoMo');
  await shop.pay(national, 'MTN MoMo', 'GHS 50.00');
  await shop.heading('Confirm your number').waitFor();
  await shop.widget.getByText('We sent a 6-digit code by SMS to +233 ••• ••• 001.').waitFor();
  const field = shop.widget.getByRole('textbox', { name: 'Code from the SMS' });
  assert.equal(await field.getAttribute('autocomplete'), 'one-time-code');
  // The code field takes focus when the screen opens, so a screen reader lands on it.
  await eventually(async () => assert.ok(await field.evaluate((el) => el === document.activeElement), 'the code field has focus'));
  // No prompt yet: Xtopay has not heard of this number.
  assert.deepEqual(await providerRequestsFor(e164, 'xtopay'), []);

  // The SMS, as a person sees it on the sandbox's handset page.
  const handset = await context.newPage();
  await handset.goto(`${SANDBOX}/handset`);
  const sms = handset.getByRole('list', { name: 'Text messages' }).getByRole('listitem').filter({ hasText: `SMS to ${e164}` }).first();
  await sms.waitFor();
  const code = /: (\d{6}) is your code to pay/.exec(await sms.textContent())[1];

  const wrong = code === '000000' ? '111111' : '000000';
  await field.fill(wrong);
  await shop.widget.getByRole('button', { name: 'Confirm number' }).click();
  await shop.widget.getByRole('alert').filter({ hasText: 'That code is not right. 2 attempts left.' }).waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');

  await field.fill(code);
  await shop.widget.getByRole('button', { name: 'Confirm number' }).click();
  await shop.heading('Check your phone').waitFor();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  assert.ok((await providerRequestsFor(e164, 'xtopay')).some((r) => r.path === '/v1/payments/receive'));

  // Nothing about the code reaches the merchant: not its view, not the event it received.
  const checkoutId = await shop.checkoutId();
  const merchantView = await (await fetch(`${EDGE}/v1/checkouts/${checkoutId}`, { headers: { Authorization: `Bearer ${MERCHANT_KEY}` } })).text();
  for (const leak of [code, 'verif', 'code_digest', 'salt']) assert.ok(!merchantView.includes(leak), `merchant view carries ${leak}`);
  const auth = { headers: { Authorization: `Bearer ${MERCHANT_KEY}` } };
  const events = await eventually(async () => {
    const list = (await (await fetch(`${EDGE}/v1/events?checkout=${checkoutId}`, auth)).json()).events;
    if (!list?.length) throw new Error('no event yet');
    return list;
  }, { timeout: 15000 });
  const detail = await (await fetch(`${EDGE}/v1/events/${events[0].id}`, auth)).text();
  for (const leak of [code, 'verif']) assert.ok(!detail.includes(leak), `the event carries ${leak}`);
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  await context.close();
});

test('a Pay from an unverified guest number is refused naming phone, before any provider call', async () => {
  const c = await ghana();
  const { national, e164 } = number('01');
  const view = await widgetCall(c, 'GET');
  assert.deepEqual(view.body.operators.map((o) => [o.id, o.verify_phone]), [['mtn_momo', true], ['telecel_cash', true], ['at_money', true]]);
  const pay = await widgetCall(c, 'POST', '/payments', { operator: 'mtn_momo', phone: national });
  assert.equal(pay.status, 403, JSON.stringify(pay.body));
  assert.equal(pay.body.error.code, 'phone_not_verified');
  assert.equal(pay.body.error.field, 'phone');
  assert.equal((await widgetCall(c, 'GET')).body.payment, null, 'nothing was stored');
  assert.deepEqual(await providerRequestsFor(e164, 'xtopay'), []);
  // Verifying another number does not verify this one.
  const other = number('01');
  const since = Date.now();
  assert.equal((await widgetCall(c, 'POST', '/verify', { operator: 'mtn_momo', phone: other.national })).status, 200);
  const code = await verificationCodeFor(other.e164, since);
  assert.equal((await widgetCall(c, 'POST', '/verify/check', { phone: other.national, code })).status, 200);
  assert.equal((await widgetCall(c, 'POST', '/payments', { operator: 'mtn_momo', phone: national })).body.error.code, 'phone_not_verified');
  // The verified one pays, and stays verified for the checkout.
  const paid = await widgetCall(c, 'POST', '/payments', { operator: 'mtn_momo', phone: other.national });
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  const again = await widgetCall(c, 'POST', '/verify', { operator: 'mtn_momo', phone: other.national });
  assert.deepEqual([again.status, again.body.verified], [200, true]);
});

test('three wrong codes lock the code, even against the right one; a resend is limited', async () => {
  const c = await ghana();
  const { national, e164 } = number('01');
  const since = Date.now();
  const sent = await widgetCall(c, 'POST', '/verify', { operator: 'mtn_momo', phone: national });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.equal(sent.body.verified, false);
  assert.equal(sent.body.attempts_left, 3);
  assert.equal(sent.body.phone_masked, '+233 ••• ••• 001');
  assert.ok(sent.body.expires_at_ms - Date.now() > 9 * 60_000 && sent.body.expires_at_ms - Date.now() <= 10 * 60_000);
  const code = await verificationCodeFor(e164, since);
  assert.deepEqual(Object.keys(sent.body).sort(), ['attempts_left', 'expires_at_ms', 'phone_masked', 'verified'], 'the answer carries no code');
  const wrong = code === '000000' ? '111111' : '000000';
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await widgetCall(c, 'POST', '/verify/check', { phone: national, code: wrong }));
  assert.deepEqual(answers.map((a) => [a.status, a.body.error.code, a.body.error.field]), [
    [422, 'otp_incorrect', 'code'], [422, 'otp_incorrect', 'code'], [409, 'otp_attempts_exhausted', 'code'],
  ]);
  assert.match(answers[0].body.error.message, /2 attempts left/);
  const right = await widgetCall(c, 'POST', '/verify/check', { phone: national, code });
  assert.deepEqual([right.status, right.body.error.code], [409, 'otp_attempts_exhausted']);
  assert.equal((await widgetCall(c, 'POST', '/payments', { operator: 'mtn_momo', phone: national })).body.error.code, 'phone_not_verified');
  // A new code may not follow at once (30 s apart).
  const resend = await widgetCall(c, 'POST', '/verify', { operator: 'mtn_momo', phone: national });
  assert.deepEqual([resend.status, resend.body.error.code, resend.body.error.field], [429, 'too_many_prompts', 'phone']);
  assert.equal((await smsTo(e164)).filter((m) => m.at_ms >= since - 1000).length, 1, 'one SMS was sent');
  // A malformed code is refused naming the field, and spends no try.
  const bad = await widgetCall(c, 'POST', '/verify/check', { phone: national, code: '12ab' });
  assert.deepEqual([bad.status, bad.body.error.field], [400, 'code']);
  assert.deepEqual(await providerRequestsFor(e164, 'xtopay'), []);
});

test('six checks at once spend at most the three tries a code has', async () => {
  const c = await ghana();
  const { national, e164 } = number('01');
  const since = Date.now();
  assert.equal((await widgetCall(c, 'POST', '/verify', { operator: 'mtn_momo', phone: national })).status, 200);
  const code = await verificationCodeFor(e164, since);
  const wrong = code === '000000' ? '111111' : '000000';
  const answers = await Promise.all(Array.from({ length: 6 }, () => widgetCall(c, 'POST', '/verify/check', { phone: national, code: wrong })));
  const codes = answers.map((a) => a.body.error?.code).sort();
  assert.deepEqual(codes, ['otp_attempts_exhausted', 'otp_attempts_exhausted', 'otp_attempts_exhausted', 'otp_attempts_exhausted', 'otp_incorrect', 'otp_incorrect'], JSON.stringify(answers.map((a) => a.body)));
  const right = await widgetCall(c, 'POST', '/verify/check', { phone: national, code });
  assert.equal(right.body.error.code, 'otp_attempts_exhausted', 'no try was left for the right code');
});

test('a number the merchant locked with customer_phone skips verification and pays', async () => {
  const { national, e164 } = number('01');
  const c = await createCheckout({ amount: 5000, currency: 'GHS', country: 'GH', customer_phone: national });
  const view = await widgetCall(c, 'GET');
  assert.ok(view.body.operators.every((o) => o.verify_phone === false), JSON.stringify(view.body.operators));
  const verify = await widgetCall(c, 'POST', '/verify', { operator: 'mtn_momo', phone: national });
  assert.deepEqual([verify.status, verify.body.verified], [200, true]);
  const pay = await widgetCall(c, 'POST', '/payments', { operator: 'mtn_momo', phone: '' });
  assert.equal(pay.status, 201, JSON.stringify(pay.body));
  assert.deepEqual(await smsTo(e164), [], 'no SMS was sent');
  await eventually(async () => {
    const p = (await widgetCall(c, 'GET')).body.payment;
    if (p.status.state !== 'succeeded') throw new Error(p.status.state);
  }, { timeout: 20000 });
});

test('the widget asks for the code in the customer\'s language', async () => {
  const { context, page, errors } = await openPage(browser);
  const { national } = number('06');
  const shop = new Shop(page);
  shop.widget = page.frameLocator('iframe[title="Paiement sécurisé Lipa"]');
  await page.goto(`${SANDBOX}/shop?country=GH&locale=fr`);
  await page.getByRole('button', { name: 'Pay with mobile money' }).click();
  await shop.widget.getByRole('radio', { name: 'MTN MoMo' }).check();
  await shop.widget.getByRole('textbox').first().fill(national);
  await shop.widget.getByRole('button', { name: /^Payer/ }).click();
  await shop.heading('Confirmez votre numéro').waitFor();
  await shop.widget.getByRole('textbox', { name: 'Code reçu par SMS' }).fill('12');
  await shop.widget.getByRole('button', { name: 'Confirmer le numéro' }).click();
  await shop.widget.getByRole('alert').filter({ hasText: 'Le code est composé des 6 chiffres du SMS.' }).waitFor();
  await shop.widget.getByRole('button', { name: 'Utiliser un autre numéro' }).click();
  await shop.widget.getByRole('button', { name: /^Payer/ }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
