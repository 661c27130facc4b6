// The purchasing console in a real browser: Debian's Chromium driven by
// playwright-core, against socialdefaultd and the example ERP fixture that
// this script starts on free ports with a copy of the example deployment.
// Screenshots, the downloaded export and the configuration file as the
// console left it are kept in ARTIFACT_DIR.
//   node console_test.mjs SOCIALDEFAULTD SD_EXAMPLE_ERP SOURCE_DIR ARTIFACT_DIR
// Exit 0 passed, 1 failed, 77 skipped (no Chromium or no playwright-core).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, copyFileSync, writeFileSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const [gatewayBin, erpBin, sourceDir, artifactDir] = process.argv.slice(2);
if (!artifactDir) {
  console.error('usage: node console_test.mjs SOCIALDEFAULTD SD_EXAMPLE_ERP SOURCE_DIR ARTIFACT_DIR');
  process.exit(2);
}
const chromiumPath = process.env.SD_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.log('SKIPPED: ' + chromiumPath + ' is not installed (apt-get install -y chromium)');
  process.exit(77);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.log('SKIPPED: playwright-core is not installed (cd tests/integration/console && npm ci)');
  process.exit(77);
}

const TOKEN = 'console-test-token-4e1b';
const work = mkdtempSync(path.join(tmpdir(), 'sd_console_browser_'));
mkdirSync(artifactDir, { recursive: true });
mkdirSync(path.join(work, 'erp'));
for (const f of ['config.xml', 'pseudonym.key']) copyFileSync(path.join(sourceDir, 'examples', f), path.join(work, f));
copyFileSync(path.join(sourceDir, 'examples/erp/mapping.xml'), path.join(work, 'erp/mapping.xml'));

const children = [];
let failures = 0;
function check(name, ok, detail) {
  console.log((ok ? 'ok   ' : 'FAIL ') + name + (ok || detail === undefined ? '' : ': ' + detail));
  if (!ok) failures++;
}

// Starts a process and resolves with the first stdout line that match() accepts.
function startProcess(bin, args, match) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const log = [];
  child.stderr.on('data', (d) => log.push(String(d)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(bin + ' did not start: ' + log.join(''))), 15000);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      log.push(line + '\n');
      const found = match(line);
      if (found) { clearTimeout(timer); resolve(found); }
    });
    child.on('exit', (code) => reject(new Error(bin + ' exited with ' + code + ': ' + log.join(''))));
  });
}

async function soap(url, file, action) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"urn:example:erp:purchasing:1#' + action + '"' },
    body: readFileSync(path.join(sourceDir, 'examples/erp', file))
  });
  return { status: response.status, body: await response.text() };
}

// The supplier the rewritten shortlist preselects.
function preselected(xml) {
  for (const block of xml.split(/<(?:\w+:)?Supplier>/).slice(1)) {
    if (/<(?:\w+:)?Preselected>true</.test(block)) return (block.match(/<(?:\w+:)?SupplierId>([^<]*)</) || [])[1];
  }
  return undefined;
}

let context;
try {
  const erpUrl = await startProcess(erpBin, ['--port', '0'], (l) => (l.match(/^listening on (\S+)/) || [])[1]);
  writeFileSync(path.join(work, 'gateway.xml'), `<gateway xmlns="urn:socialdefault:gateway:1">
  <engine policy="config.xml" ledger="state/ledger.db" spool="state/spool"/>
  <listener address="127.0.0.1" port="0"/>
  <limits io-threads="1" worker-threads="4"/>
  <route path="/purchasing" upstream="${erpUrl}" adapter="soap" mapping="erp/mapping.xml"/>
  <admin address="127.0.0.1" port="0">
    <token name="console-test" sha256="${createHash('sha256').update(TOKEN).digest('hex')}"/>
  </admin>
  <logging level="info" requests="false"/>
</gateway>
`);
  const ports = await startProcess(gatewayBin, ['--config', path.join(work, 'gateway.xml')], (l) => {
    try { const o = JSON.parse(l); return o.event === 'listening' || o.msg === 'listening' || l.includes('"listening"') ? o : null; } catch { return null; }
  });
  const gatewayUrl = `http://127.0.0.1:${ports.port}/purchasing`;
  const consoleUrl = `http://127.0.0.1:${ports.admin_port}/console/`;

  const before = await soap(gatewayUrl, 'shortlist-request.xml', 'GetSupplierShortlist');
  check('a shortlist passes the gateway', before.status === 200, before.status);

  const profile = mkdtempSync(path.join(tmpdir(), 'sd_console_chromium_'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1366, height: 900 }
  });
  const page = context.pages()[0] || await context.newPage();
  const consoleErrors = [];
  // Refused requests (the wrong token, the refused tolerance) are logged by
  // Chromium as failed resources; they are checked above, not errors here.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const shot = (name) => page.screenshot({ path: path.join(artifactDir, name + '.png'), fullPage: true });

  // A wrong token is refused.
  await page.goto(consoleUrl);
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await page.getByLabel('Toegangssleutel (token)').fill('not-the-token');
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  const refusal = page.locator('#login-error');
  await refusal.filter({ hasText: 'niet geldig' }).waitFor({ timeout: 5000 });
  check('a wrong token is refused', (await refusal.textContent()).includes('Deze toegangssleutel is niet geldig.'));
  check('the main screen stays hidden', await page.locator('#app').isHidden());
  await shot('01-wrong-token');

  // English, then log in with the right token.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByLabel('Access token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as console-test').waitFor({ timeout: 5000 });
  check('signs in with the token, in English', true);
  await shot('02-overview');

  // The tabs work from the keyboard (ARIA tab pattern).
  await page.getByRole('tab', { name: 'Overview' }).focus();
  await page.keyboard.press('ArrowRight');
  check('arrow keys move between tabs', (await page.getByRole('tab', { name: 'Organisation' }).getAttribute('aria-selected')) === 'true' &&
        await page.locator('#panel-organisation').isVisible());

  // Suppliers: evidence that ends within 60 days is highlighted.
  await page.getByRole('tab', { name: 'Suppliers' }).click();
  const config = await (await fetch(consoleUrl + 'api/config', { headers: { Authorization: 'Bearer ' + TOKEN } })).json();
  const today = Date.parse(config.today);
  const expected = config.config.suppliers.flatMap((s) => s.evidence)
    .filter((e) => { const d = Math.round((Date.parse(e.valid_until) - today) / 86400000); return d >= 0 && d <= 60; }).length;
  check('evidence expiring within 60 days is highlighted', (await page.locator('.row.expiring').count()) === expected,
        (await page.locator('.row.expiring').count()) + ' != ' + expected);
  await shot('03-suppliers');

  // Categories: flowers get a fixed default, Kwekerij Samen first.
  await page.getByRole('tab', { name: 'Categories' }).click();
  const flowers = page.locator('fieldset[data-category="CPV:03121200-7"]');
  await flowers.getByLabel('Strategy').selectOption('fixed');
  await flowers.getByRole('button', { name: 'Up: Kwekerij Samen' }).click();
  await flowers.getByRole('button', { name: 'Up: Kwekerij Samen' }).click();
  check('the page says there are unsaved changes', (await page.locator('#dirty').textContent()) === 'Unsaved changes');
  await shot('04-category-edited');

  // A bad value is refused with the loader's message at the field.
  const tolerance = flowers.getByLabel('Price tolerance (%)');
  await tolerance.fill('1500');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const problem = flowers.locator('.problem');
  await problem.first().waitFor({ timeout: 5000 });
  const problemText = await problem.first().textContent();
  check('a bad tolerance is refused at its field', problemText.includes('price-tolerance "1500" is not a valid percentage'), problemText);
  check('the field is marked invalid', (await tolerance.getAttribute('aria-invalid')) === 'true');
  await shot('05-refused-at-field');
  await tolerance.fill('15');

  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#status.ok').waitFor({ timeout: 10000 });
  const saved = await page.locator('#status').textContent();
  check('the change is saved and applied', saved.startsWith('Saved and applied: category CPV 03121200-7 Bloemen: social_suppliers, strategy'), saved);
  await shot('06-saved');

  // The next shortlist through the gateway follows it.
  const after = await soap(gatewayUrl, 'shortlist-request.xml', 'GetSupplierShortlist');
  check('the next shortlist preselects the new default', preselected(after.body) === 'BLOEM-03', preselected(after.body));
  const again = await soap(gatewayUrl, 'shortlist-request.xml', 'GetSupplierShortlist');
  check('and keeps it (fixed, no rotation)', preselected(again.body) === 'BLOEM-03', preselected(again.body));
  const order = await soap(gatewayUrl, 'order-request.xml', 'PlaceOrder');
  check('an order passes the gateway', order.status === 200, order.status);

  // The change is in the ledger, with who made it.
  await page.getByRole('tab', { name: 'Changes' }).click();
  const row = page.locator('#changes-table tbody tr').first();
  await row.waitFor({ timeout: 5000 });
  const rowText = await row.textContent();
  check('the ledger lists the change with the token\'s name', rowText.includes('console-test') && rowText.includes('console: category CPV 03121200-7 Bloemen'), rowText);
  await shot('07-changes');
  const verify = await (await fetch(`http://127.0.0.1:${ports.admin_port}/admin/verify`, { headers: { Authorization: 'Bearer ' + TOKEN } })).json();
  check('the ledger chain is intact', verify.intact === true, JSON.stringify(verify));

  // ---- The organisation: an unknown time zone is refused at its field, as
  // the loader refuses it in the file; the name is saved.
  const saveAndWait = async (summary) => {
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('#status.ok', { hasText: summary }).waitFor({ timeout: 10000 });
    return page.locator('#status').textContent();
  };
  const api = async (p) => (await fetch(consoleUrl + 'api/' + p, { headers: { Authorization: 'Bearer ' + TOKEN } })).json();
  await page.getByRole('tab', { name: 'Organisation' }).click();
  const orgPanel = page.locator('#panel-organisation');
  const zone = orgPanel.getByLabel('Time zone (IANA, such as Europe/Amsterdam)');
  check('the time zone field suggests the IANA zones', (await page.locator('#time-zones option[value="Europe/Amsterdam"]').count()) === 1);
  check('the key file is shown read-only', (await orgPanel.getByLabel('Pseudonymisation key file (changed by IT only)').getAttribute('readonly')) !== null);
  await orgPanel.getByLabel("The organisation's name").fill('Gemeente Voorbeeldstad (proef)');
  await zone.fill('Europe/Atlantis');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const zoneProblem = orgPanel.locator('.problem');
  await zoneProblem.first().waitFor({ timeout: 5000 });
  const zoneText = await zoneProblem.first().textContent();
  check('an unknown time zone is refused at its field', zoneText.includes('time zone "Europe/Atlantis": unknown zone'), zoneText);
  check('the time zone field is marked invalid and has the focus',
        (await zone.getAttribute('aria-invalid')) === 'true' && await zone.evaluate((e) => e === document.activeElement));
  await shot('07b-organisation-refused');
  await zone.fill('Europe/Amsterdam');
  const orgSaved = await saveAndWait('organisation: name');
  check('the organisation is saved', orgSaved.includes('Saved and applied: organisation: name'), orgSaved);
  check('the new name is in the configuration', (await api('config')).config.organisation.name === 'Gemeente Voorbeeldstad (proef)');
  await shot('07c-organisation-saved');

  // ---- Flowers get their own colleague norm, switched on from the keyboard.
  await page.getByRole('tab', { name: 'Campaigns and messages' }).click();
  const flowerNudges = page.locator('#messages fieldset[data-block="categories[0].nudges"]');
  const ownNorm = flowerNudges.getByLabel('Own norm settings for this category');
  check('the organisation\'s templates are editable fields', (await page.locator('#messages').getByLabel('Template norm – Text (English)').count()) === 1);
  const hint = await flowerNudges.locator('.hint').first().textContent();
  check('without its own norm the organisation\'s settings are named', hint.includes("the organisation's settings apply (50 %, 10 orders, 91 days)"), hint);
  await ownNorm.focus();
  await page.keyboard.press('Space');
  check('the norm override switches on from the keyboard and keeps the focus',
        await ownNorm.isChecked() && await ownNorm.evaluate((e) => e === document.activeElement));
  await flowerNudges.getByLabel('Shown from social share (%)').fill('60');
  await flowerNudges.getByLabel('Window (days)').fill('30');
  const minOrders = flowerNudges.getByLabel('Minimum number of orders');
  await minOrders.fill('3');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const normProblem = flowerNudges.locator('.problem');
  await normProblem.first().waitFor({ timeout: 5000 });
  const normText = await normProblem.first().textContent();
  check('k below 5 is refused at its field with the loader\'s reason', normText.includes('norm min-orders "3" is not a whole number from 5 to 1000000') &&
        (await minOrders.getAttribute('aria-invalid')) === 'true', normText);
  await minOrders.fill('12');
  const normSaved = await saveAndWait('Bloemen: nudges');
  check('the category norm is saved', normSaved.includes('category CPV 03121200-7 Bloemen: nudges'), normSaved);
  const normNow = (await api('config')).config.categories[0].nudges.norm;
  check('the category has its own norm', JSON.stringify(normNow) === '{"threshold":"60","min_orders":12,"window_days":30}', JSON.stringify(normNow));
  await shot('07d-category-norm');

  // ---- The experiment's categories are picked from the configured ones.
  await page.getByRole('tab', { name: 'Experiments' }).click();
  const picker = page.locator('#experiments fieldset.choices').first();
  const current = (await api('config')).config;
  const codes = new Set(current.categories.map((c) => c.code_system + ':' + c.code));
  check('one box per configured category code', (await picker.locator('input[type=checkbox]').count()) === codes.size,
        (await picker.locator('input[type=checkbox]').count()) + ' != ' + codes.size);
  check('the experiment\'s category is ticked', await picker.locator('input[data-category="CPV:55520000-1"]').isChecked());
  check('a code with a department entry is named after its general entry',
        (await picker.getByLabel('Catering (CPV 55520000-1)', { exact: true }).count()) === 1);
  const venues = current.categories.find((c) => c.code === '55120000-7');
  await picker.getByLabel(venues.name + ' (CPV 55120000-7)').check();
  const expSaved = await saveAndWait('experiment catering-2027');
  check('the experiment is saved', expSaved.includes('experiment catering-2027: categories'), expSaved);
  const expNow = (await api('config')).config.experiments[0].categories;
  check('the experiment covers catering and venues',
        JSON.stringify(expNow) === '[{"code_system":"CPV","code":"55520000-1"},{"code_system":"CPV","code":"55120000-7"}]', JSON.stringify(expNow));
  await shot('07e-experiment-categories');

  // ---- What was added is labelled and readable: every control has a
  // label, and text has at least 4.5:1 contrast on its background.
  const a11y = await page.evaluate(() => {
    const unlabelled = [...document.querySelectorAll('#panel-organisation input, #messages input, #messages select, #messages textarea, #experiments input, #experiments select')]
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
      .map((e) => e.outerHTML.slice(0, 100));
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
      .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = (e) => {
      for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0) return c; }
      return [255, 255, 255];
    };
    const low = [];
    for (const e of document.querySelectorAll('#panel-organisation label, #messages .hint, #messages label, fieldset.choices legend, .choice label, .problem')) {
      if (!e.textContent.trim()) continue;
      const a = lum(rgb(getComputedStyle(e).color)), b = lum(background(e));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) low.push(e.textContent.trim().slice(0, 40) + ': ' + ratio.toFixed(2));
    }
    return { unlabelled, low };
  });
  check('every new control has a label', a11y.unlabelled.length === 0, a11y.unlabelled.join(' | '));
  check('the new texts have at least 4.5:1 contrast', a11y.low.length === 0, a11y.low.join(' | '));

  // ---- The file keeps the example's comments through these saves.
  const commentsOf = (xml) => xml.match(/<!--[\s\S]*?-->/g) || [];
  const written = readFileSync(path.join(work, 'config.xml'), 'utf8');
  const lost = commentsOf(readFileSync(path.join(sourceDir, 'examples', 'config.xml'), 'utf8')).filter((c) => !written.includes(c));
  check('every comment of the file survives the saves', lost.length === 0, lost.join(' | '));
  copyFileSync(path.join(work, 'config.xml'), path.join(artifactDir, 'config-after-saves.xml'));

  // Preview of the ordering screen.
  await page.getByRole('tab', { name: 'Preview' }).click();
  await page.locator('#panel-preview').getByLabel('Category', { exact: true }).selectOption({ label: 'Bloemen (CPV 03121200-7)' });
  await page.getByRole('button', { name: 'Show what the ordering screen shows' }).click();
  const first = page.locator('#preview-result ol li').first();
  await first.waitFor({ timeout: 5000 });
  check('the preview shows the new default first', (await first.textContent()).includes('BLOEM-03'), await first.textContent());
  await shot('08-preview');

  // The overview and an export download.
  await page.getByRole('tab', { name: 'Overview' }).click();
  const overview = page.locator('#panel-dashboard');
  await overview.getByRole('button', { name: 'Show', exact: true }).click();
  await page.locator('#dashboard svg').first().waitFor({ timeout: 5000 });
  check('the overview draws the social share chart', (await page.locator('#dashboard svg rect').count()) > 0);
  await shot('09-overview-with-order');
  await overview.getByLabel('Format', { exact: true }).selectOption('csv');
  const [download] = await Promise.all([page.waitForEvent('download'), overview.getByRole('button', { name: 'Download', exact: true }).click()]);
  const file = path.join(artifactDir, download.suggestedFilename());
  await download.saveAs(file);
  const csv = readFileSync(file, 'utf8');
  check('the CSV export downloads', /department/.test(csv.split('\n')[0]) && csv.includes('Burgerzaken'), csv.slice(0, 200));
  await page.getByRole('button', { name: 'Nederlands' }).click();
  check('the page switches to Dutch', (await page.getByRole('tab', { name: 'Wijzigingen' }).count()) === 1);
  await shot('10-dutch');
  check('no script errors in the page', consoleErrors.length === 0, consoleErrors.join(' | '));
} catch (e) {
  check('the run', false, e.stack || String(e));
} finally {
  if (context) await context.close().catch(() => {});
  for (const c of children) c.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
console.log(failures ? failures + ' check(s) failed' : 'all checks passed');
process.exit(failures ? 1 : 0);
