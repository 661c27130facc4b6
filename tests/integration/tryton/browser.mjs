// The browser check: Debian's headless chromium, driven by playwright-core,
// logs into sao (Tryton's web client, served by trytond), opens a new
// requisition line, picks the flower product, and sees a social supplier
// preselected while the supplier field still offers the others.
//
// usage: node browser.mjs URL DATABASE SCREENSHOT_DIR
// Environment: SD_CHROMIUM (default /usr/bin/chromium), TRYTON_PASSWORD (admin).
// Prints one line per check and "N passed, N failed"; exit 1 on a failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, errors } from 'playwright-core';

const [url, database, shots] = process.argv.slice(2);
if (!url || !database || !shots) {
  console.error('usage: node browser.mjs URL DATABASE SCREENSHOT_DIR');
  process.exit(2);
}
const executablePath = process.env.SD_CHROMIUM || '/usr/bin/chromium';
const password = process.env.TRYTON_PASSWORD || 'admin';
const social = new Map([
  ['Bloemenatelier De Werkplaats', 'BLOEM-01'],
  ['Groen & Meer Leerwerkbedrijf', 'BLOEM-02'],
  ['Kwekerij Samen', 'BLOEM-03'],
]);
const regular = ['Bloemen Groothandel Holland', 'Fleurop Partner Centrum', 'Tuincentrum Randstad'];

let passed = 0;
let failed = 0;
function check(condition, what) {
  console.log(`${condition ? 'ok  ' : 'FAIL'}  ${what}`);
  if (condition) ++passed;
  else ++failed;
}

// Types TEXT into a sao many2one field and waits for OPTION in its
// completion. sao searches 300 ms after the last keystroke and drops the
// answer when the field no longer holds what was searched for (a form that
// redraws late clears it), so a person who sees no list types again: so does
// this, up to three times, each attempt noted in the log.
async function complete(field, text, option, what) {
  for (let attempt = 1; attempt <= 3; ++attempt) {
    await field.click();
    if ((await field.inputValue()) !== '') await field.fill('');
    await field.pressSequentially(text, { delay: 100 });
    try {
      await option.first().waitFor({ state: 'visible', timeout: 10000 });
      return;
    } catch (error) {
      if (!(error instanceof errors.TimeoutError)) throw error;
      console.log(`note  ${what}: no completion for "${text}" on attempt ${attempt}; ` +
        `the field holds "${await field.inputValue()}"`);
    }
  }
  throw new Error(`${what}: sao offered no completion for "${text}" in 3 attempts`);
}

fs.mkdirSync(shots, { recursive: true });
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-chromium-'));
// A persistent context is how playwright takes a --user-data-dir: a fresh
// one per run, removed at the end.
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
  viewport: { width: 1280, height: 900 },
  timeout: 60000,
});
context.setDefaultTimeout(30000);
try {
  const page = context.pages()[0] || (await context.newPage());
  await page.goto(url);

  // Login: database and user, then the password dialog.
  await page.selectOption('select#database', database);
  await page.fill('input#login', 'admin');
  await page.click('button[type=submit]');
  await page.fill('input[type=password]', password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Administrator');
  check(true, 'logged into sao as admin');

  // Purchases > Requisitions > New, then a new line in its own form.
  await page.click('.treeview >> text=Purchases');
  await page.click('.treeview >> text=Requisitions');
  await page.locator('button.navbar-btn[title="New"]').click();
  await page.locator('button.btn-sm[title="New"]').first().click();
  const line = page.locator('.modal-dialog').last();
  const product = line.locator('input[name=product]');
  const supplier = line.locator('input[name=supplier]');
  await product.waitFor();
  check((await supplier.inputValue()) === '', 'a new requisition line has no supplier');

  // Pick the product the way a person does: type, choose from the list.
  const flowers = line.locator('input[name=product] ~ ul.dropdown-menu li', { hasText: 'Boeket bloemen' });
  await complete(product, 'Boeket', flowers, 'product');
  await flowers.first().click();
  await page.waitForFunction(
    () => {
      const input = [...document.querySelectorAll('.modal-dialog input[name=supplier]')].pop();
      return input && input.value !== '';
    },
    null,
    { timeout: 30000 });
  const preselected = await supplier.inputValue();
  check(social.has(preselected), `the social supplier is preselected: "${preselected}"`);
  await page.screenshot({ path: path.join(shots, 'tryton-requisition-line.png') });

  // The field still offers every supplier: clear it and type, as a person
  // choosing another would; the completion lists the regular ones as well
  // as the other social ones.
  await line.locator('input[name=supplier] ~ .icon-secondary').click();
  const options = line.locator('input[name=supplier] ~ ul.dropdown-menu li:not(.action):not(.divider)');
  await complete(supplier, 'e', options, 'supplier');
  const offered = await options.allInnerTexts();
  const offeredRegular = regular.filter((name) => offered.includes(name));
  const offeredSocial = [...social.keys()].filter((name) => offered.includes(name));
  check(offeredRegular.length === regular.length,
    `the supplier field offers the regular suppliers: ${JSON.stringify(offeredRegular)}`);
  check(offeredSocial.length === social.size,
    `the supplier field offers every social supplier: ${JSON.stringify(offeredSocial)}`);
  await page.screenshot({ path: path.join(shots, 'tryton-supplier-choices.png') });
} catch (error) {
  const [first, ...rest] = error.message.split('\n');
  check(false, `browser check: ${first}`);
  // Playwright's call log says what the step waited for: kept for the CI output.
  for (const detail of rest.filter((text) => text.trim() !== '').slice(0, 12)) console.log(`      ${detail.trim()}`);
  for (const page of context.pages()) {
    await page.screenshot({ path: path.join(shots, 'tryton-failure.png') }).catch(() => {});
  }
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
