import { chromium } from 'playwright-core';
const base = process.argv[2];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.on('pageerror', (e) => console.log('pageerror', e.message));
page.on('console', (m) => { if (m.type() === 'error') console.log('console', m.text()); });
await page.goto('/login');
await page.locator('[data-hydrated="true"]').waitFor();
await page.getByLabel('User name').fill('release');
await page.getByLabel('Password').fill(process.argv[3]);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL(base + '/');
await page.goto('/duplicates');
await page.locator('[data-hydrated="true"]').waitFor();
await page.getByLabel('Database name to apply').fill('forest');
await page.getByRole('button', { name: 'Apply the cleanup' }).click();
await page.getByRole('table', { name: 'Latest cleanups' }).waitFor({ timeout: 60000 });
await page.getByRole('heading', { name: 'Clean up' }).scrollIntoViewIfNeeded();
await page.screenshot({ path: '/tmp/rel/shot-cleaned.png', fullPage: false });
const start = Date.now();
const sizes = {};
for (const path of ['/', '/monitor', '/runbook', '/backups']) {
  const r = await page.request.get(path);
  sizes[path] = (await r.body()).length;
}
console.log(JSON.stringify(sizes), Date.now() - start, 'ms');
await browser.close();
