// The widget in French and Swahili, and accessibility proven by axe-core on every screen:
// customers pay by role and accessible name in their own language, and axe finds no WCAG 2.2
// AA violation on the picker, an inline error, the pending, one-time-code, redirect, success
// and failure screens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, openPage, SANDBOX, smsCodeFor } from './support.mjs';

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

test('axe-core finds no WCAG 2.2 AA violation on any screen, in any language', async () => {
  const found = [];
  const screens = async (locale, fn) => {
    const { context, page } = await openPage(browser);
    try { await fn(page); } finally { await context.close(); }
  };

  // The picker in each language, an inline error, the pending screen, success.
  for (const locale of ['en', 'fr', 'sw']) {
    await screens(locale, async (page) => {
      const widget = await shopIn(page, locale);
      await widget.getByRole('radio', { name: 'M-Pesa' }).waitFor();
      found.push(...await violations(page, `picker (${locale})`));
    });
  }
  await screens('en', async (page) => {
    const widget = await shopIn(page, 'en');
    await widget.getByRole('radio', { name: 'M-Pesa' }).check();
    await widget.getByRole('textbox', { name: 'Mobile money number' }).fill('12');
    await widget.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
    await widget.getByRole('alert').filter({ hasText: 'Kenya' }).waitFor();
    found.push(...await violations(page, 'inline error'));
    await widget.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 630 678');
    await widget.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
    await widget.getByRole('heading', { name: 'Check your phone' }).waitFor();
    found.push(...await violations(page, 'pending'));
  });
  await screens('fr', async (page) => {
    const widget = await shopIn(page, 'fr');
    await widget.getByRole('radio', { name: 'M-Pesa' }).check();
    await widget.getByRole('textbox', { name: 'Numéro mobile money' }).fill('0712 640 001');
    await widget.getByRole('button', { name: /^Payer/ }).click();
    await widget.getByRole('heading', { name: 'Paiement réussi' }).waitFor({ timeout: 20000 });
    found.push(...await violations(page, 'success (fr)'));
  });
  await screens('sw', async (page) => {
    const widget = await shopIn(page, 'sw');
    await widget.getByRole('radio', { name: 'M-Pesa' }).check();
    await widget.getByRole('textbox', { name: 'Namba ya pesa kwa simu' }).fill('0712 650 006');
    await widget.getByRole('button', { name: /^Lipa/ }).click();
    await widget.getByRole('heading', { name: 'Malipo hayakufanikiwa' }).waitFor({ timeout: 20000 });
    found.push(...await violations(page, 'failure (sw)'));
  });
  // Uganda's MTN MoMo goes to HoneyCoin, whose test numbers ask for a code or a redirect.
  await screens('fr', async (page) => {
    const widget = await shopIn(page, 'fr', '?country=UG');
    await widget.getByRole('radio', { name: 'MTN MoMo' }).check();
    await widget.getByRole('textbox', { name: 'Numéro mobile money' }).fill('0712 660 020');
    await widget.getByRole('button', { name: /^Payer/ }).click();
    await widget.getByRole('heading', { name: 'Saisissez le code envoyé au +256 ••• ••• 020' }).waitFor({ timeout: 15000 });
    found.push(...await violations(page, 'one-time code (fr)'));
    await smsCodeFor('+256712660020');
  });
  await screens('en', async (page) => {
    const widget = await shopIn(page, 'en', '?country=UG');
    await widget.getByRole('radio', { name: 'MTN MoMo' }).check();
    await widget.getByRole('textbox', { name: 'Mobile money number' }).fill('0712 670 021');
    await widget.getByRole('button', { name: 'Pay UGX 5,000' }).click();
    await widget.getByRole('heading', { name: 'Finish on the MTN MoMo page' }).waitFor({ timeout: 15000 });
    found.push(...await violations(page, 'redirect'));
  });
  assert.deepEqual(found, []);
});
