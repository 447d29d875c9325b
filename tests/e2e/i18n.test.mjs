// The widget in French and Swahili, and accessibility proven by axe-core on every screen:
// customers pay by role and accessible name in their own language, and axe finds no WCAG 2.2
// AA violation on the picker, an inline error, the pending, one-time-code, redirect, success
// and failure screens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, openPage, SANDBOX } from './support.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FRAME_TITLE = { en: 'Lipa secure checkout', fr: 'Paiement sécurisé Lipa', sw: 'Malipo salama ya Lipa' };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The demo shop asking for a language (none: the browser decides), and the widget inside it
 * found by its title in the language it should speak. */
async function shopIn(page, locale, query = '', speaks = locale) {
  const sep = query ? '&' : '?';
  await page.goto(`${SANDBOX}/shop${query}${locale ? `${sep}locale=${locale}` : ''}`);
  await page.getByRole('button', { name: 'Pay with mobile money' }).click();
  return page.frameLocator(`iframe[title="${FRAME_TITLE[speaks]}"]`);
}

/** axe-core's WCAG 2.2 A/AA violations on the widget's document (run through the DevTools
 * protocol, so the page's own CSP stays as it is). */
async function violations(page, screen) {
  const frame = page.frames().find((f) => f.url().includes('/pay/'));
  assert.ok(frame, `no widget frame on ${screen}`);
  await frame.evaluate(`${AXE}; 0`);
  const found = await frame.evaluate(async () => {
    const result = await globalThis.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found.map((v) => `${screen}: ${v}`);
}

test('a customer pays in French: every word of the form, the wait and the success is French', async () => {
  const { context, page, errors } = await openPage(browser);
  const widget = await shopIn(page, 'fr');
  await widget.getByRole('radio', { name: 'M-Pesa' }).waitFor();
  const frame = page.frames().find((f) => f.url().includes('/pay/'));
  assert.equal(await frame.evaluate(() => document.documentElement.lang), 'fr');
  await widget.getByRole('group', { name: 'Choisissez votre opérateur de mobile money' }).waitFor();
  await widget.getByRole('heading', { name: /^Payer 1\s500,00\sKES$/ }).waitFor();
  await widget.getByRole('radio', { name: 'M-Pesa' }).check();
  await widget.getByRole('textbox', { name: 'Numéro mobile money' }).fill('0712 610 001');
  await widget.getByRole('button', { name: /^Payer 1\s500,00\sKES$/ }).click();
  await widget.getByRole('heading', { name: 'Paiement réussi' }).waitFor({ timeout: 20000 });
  await widget.getByText(/^1\s500,00\sKES payés avec M-Pesa depuis le \+254 ••• ••• 001\.$/).waitFor();
  await widget.getByRole('button', { name: 'Terminé' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a customer pays in Swahili: a refused number, then a declined payment, in Swahili', async () => {
  const { context, page, errors } = await openPage(browser);
  const widget = await shopIn(page, 'sw');
  await widget.getByRole('radio', { name: 'M-Pesa' }).check();
  const phone = widget.getByRole('textbox', { name: 'Namba ya pesa kwa simu' });
  await phone.fill('0812 000 001');
  await widget.getByRole('button', { name: 'Lipa KES 1,500.00' }).click();
  await widget.getByRole('alert').getByText('Hii si namba ya simu ya mkononi ya Kenya: baada ya +254 inapaswa kuanza na 7 au 1.').waitFor();
  await phone.fill('0712 620 006');
  await widget.getByRole('button', { name: 'Lipa KES 1,500.00' }).click();
  await widget.getByRole('heading', { name: 'Malipo hayakufanikiwa' }).waitFor({ timeout: 20000 });
  await widget.getByText('Hakuna pesa za kutosha kwenye akaunti hii ya pesa kwa simu.').waitFor();
  await widget.getByRole('button', { name: 'Jaribu tena' }).click();
  await widget.getByRole('radio', { name: 'M-Pesa' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("without a merchant's choice the browser's language decides, and an unknown one falls back to English", async () => {
  const swahili = await browser.newContext({ locale: 'sw-KE' });
  // The loader chose from the browser's languages too: the frame carries the Swahili title.
  const widget = await shopIn(await swahili.newPage(), '', '', 'sw');
  await widget.getByRole('heading', { name: 'Lipa KES 1,500.00' }).waitFor();
  await swahili.close();
  const german = await browser.newContext({ locale: 'de-DE' });
  const english = await shopIn(await german.newPage(), '', '', 'en');
  await english.getByRole('heading', { name: 'Pay KES 1,500.00' }).waitFor();
  await german.close();
});

/** Each language's words for the screens the axe run walks through. */
const WORDS = {
  en: { phone: 'Mobile money number', pay: /^Pay /, pending: 'Check your phone', success: 'Payment successful', failure: 'Payment failed', otp: /^Enter the code sent to/, redirect: 'Finish on the MTN MoMo page', verify: 'Confirm your number', middle: '1' },
  fr: { phone: 'Numéro mobile money', pay: /^Payer /, pending: 'Vérifiez votre téléphone', success: 'Paiement réussi', failure: 'Paiement échoué', otp: /^Saisissez le code envoyé au/, redirect: 'Terminez sur la page MTN MoMo', verify: 'Confirmez votre numéro', middle: '2' },
  sw: { phone: 'Namba ya pesa kwa simu', pay: /^Lipa /, pending: 'Angalia simu yako', success: 'Malipo yamefanikiwa', failure: 'Malipo hayakufanikiwa', otp: /^Weka msimbo uliotumwa kwa/, redirect: 'Maliza kwenye ukurasa wa MTN MoMo', verify: 'Thibitisha namba yako', middle: '3' },
};

test('axe-core finds no WCAG 2.2 AA violation on any screen, in any language', async () => {
  const found = [];
  const screen = async (fn) => {
    const { context, page } = await openPage(browser);
    try { await fn(page); } finally { await context.close(); }
  };
  for (const [locale, w] of Object.entries(WORDS)) {
    // Numbers by the sandbox's last two digits; the middle digits keep each run's own.
    const number = (suffix) => `0712 69${w.middle} 0${suffix}`;
    const pay = async (widget, operator, phone) => {
      await widget.getByRole('radio', { name: operator }).check();
      await widget.getByRole('textbox', { name: w.phone }).fill(phone);
      await widget.getByRole('button', { name: w.pay }).click();
    };
    await screen(async (page) => {
      const widget = await shopIn(page, locale);
      await widget.getByRole('radio', { name: 'M-Pesa' }).waitFor();
      found.push(...await violations(page, `picker (${locale})`));
      await pay(widget, 'M-Pesa', '12');
      await widget.getByRole('alert').filter({ hasText: 'Kenya' }).waitFor();
      found.push(...await violations(page, `inline error (${locale})`));
      await pay(widget, 'M-Pesa', number('78')); // not in the table: waits on the handset
      await widget.getByRole('heading', { name: w.pending }).waitFor();
      found.push(...await violations(page, `pending (${locale})`));
    });
    await screen(async (page) => {
      const widget = await shopIn(page, locale);
      await pay(widget, 'M-Pesa', number('01'));
      await widget.getByRole('heading', { name: w.success }).waitFor({ timeout: 20000 });
      found.push(...await violations(page, `success (${locale})`));
    });
    await screen(async (page) => {
      const widget = await shopIn(page, locale);
      await pay(widget, 'M-Pesa', number('06'));
      await widget.getByRole('heading', { name: w.failure }).waitFor({ timeout: 20000 });
      found.push(...await violations(page, `failure (${locale})`));
    });
    // Ghana goes to Xtopay, whose routes verify a guest's number by SMS code first.
    await screen(async (page) => {
      const widget = await shopIn(page, locale, '?country=GH');
      await pay(widget, 'MTN MoMo', `024 69${w.middle} 00${Date.now() % 90 + 10}`);
      await widget.getByRole('heading', { name: w.verify }).waitFor({ timeout: 15000 });
      found.push(...await violations(page, `phone verification (${locale})`));
    });
    // Uganda's MTN MoMo goes to HoneyCoin, whose test numbers ask for a code or a redirect.
    await screen(async (page) => {
      const widget = await shopIn(page, locale, '?country=UG');
      await pay(widget, 'MTN MoMo', number('20'));
      await widget.getByRole('heading', { name: w.otp }).waitFor({ timeout: 15000 });
      found.push(...await violations(page, `one-time code (${locale})`));
    });
    await screen(async (page) => {
      const widget = await shopIn(page, locale, '?country=UG');
      await pay(widget, 'MTN MoMo', number('21'));
      await widget.getByRole('heading', { name: w.redirect }).waitFor({ timeout: 15000 });
      found.push(...await violations(page, `redirect (${locale})`));
    });
  }
  assert.deepEqual(found, []);
});
