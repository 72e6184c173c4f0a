// The editor in Firefox (Debian's firefox-esr over WebDriver BiDi, driven by puppeteer-core):
// sign in, open a flow, map a field from the data tree, add a step, save, run a test on the
// real worker and read the exact 64-bit id in the step's output. Called by
// tests/e2e/test_firefox.py, which serves the app and checks what this prints (JSON).
import puppeteer from 'puppeteer-core';

const [base, flowId, email, password, screenshots] = process.argv.slice(2);
const FIREFOX = process.env.SHOPWIRE_FIREFOX || '/usr/lib/firefox-esr/firefox-esr';
const seen = {};

const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.setViewport({ width: 1280, height: 800 });

  await page.goto(`${base}/login`);
  await page.type('input[name=email]', email);
  await page.type('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);

  await page.goto(`${base}/flows/${flowId}/edit`);
  await page.waitForSelector('.flow-node');
  seen.nodes = await page.$$eval('.react-flow__node', (nodes) => nodes.length);

  // The step after the Map sees the Map's fields before any run, and maps one by a click.
  await page.click(".react-flow__node[data-id='send']");
  await page.waitForSelector('.panel [data-field=body]');
  await page.click('.panel [data-field=body] ::-p-text(From data)');
  await page.click(".panel [data-field=body] [data-path='input.order_total']");
  await page.waitForSelector(".panel [data-field=body] [data-testid=preview] ::-p-text(403.00)");
  seen.mapped = true;

  // Click to add a step after the selected one, then take it back with Undo.
  await page.click(".palette-item[data-node-type='core.filter']");
  await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 4);
  seen.nodesAfterAdd = 4;
  await page.click('[data-testid=undo]');
  await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 3);
  await page.click('button ::-p-text(Save)');
  await page.waitForSelector('[data-testid=save-state] ::-p-text(All changes saved)');
  seen.saved = true;

  await page.click('button ::-p-text(Test)');
  await page.waitForSelector('[data-testid=test-dialog]');
  await page.click('[data-testid=test-dialog] button ::-p-text(Run test)');
  await page.waitForSelector('[data-testid=run-state] ::-p-text(Test run: succeeded)', { timeout: 30000 });
  seen.run = 'succeeded';

  await page.click(".react-flow__node[data-id='shape']");
  await page.waitForSelector('[data-testid=last-run] details pre');
  seen.output = await page.$$eval('[data-testid=last-run] details pre', (pres) => pres.map((p) => p.textContent));
  await page.screenshot({ path: `${screenshots}/firefox-editor.png` });
  seen.errors = errors;
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
