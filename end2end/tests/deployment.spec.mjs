// The whole deployment in the browser, on the messy demo data command 1
// ships, on an app of its own: a release manager cleans the duplicates,
// backs up, rehearses, migrates while a viewer in a second browser watches
// the migration's state change without reloading, verifies, probes a
// stand-in Forest API, ticks the log item and reaches 6 of 6; an admin
// then reverts, and the deployment report tells it all in order, on the
// page and as one HTML file. Runs hydrated and with JavaScript off.
import { test, expect } from '@playwright/test';
import { createServer } from 'node:http';
import { portOf, startApp, stopApp } from '../helpers/app.mjs';
import { verifiedBackup } from '../helpers/backups.mjs';
import { signIn, visit } from '../helpers/session.mjs';

const port = portOf(200);
const forestPort = portOf(201);
test.use({ baseURL: `http://127.0.0.1:${port}` });

let app;
let forest;
let folder;

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(120_000);
  // The Forest API, as its health endpoint answers when all is well.
  forest = createServer((request, response) => {
    const healthy = request.url === '/api/health';
    response.writeHead(healthy ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(healthy
      ? { success: true, data: { status: 'healthy', database: 'connected' } }
      : { success: false, error: 'not found' }));
  });
  await new Promise((resolve) => forest.listen(forestPort, '127.0.0.1', resolve));
  const name = `deployment-${testInfo.project.name}`;
  folder = `../target/e2e-${name}/backups`;
  app = await startApp(name, port, { FOREST_FOREST_API__BASE_URLS: `http://127.0.0.1:${forestPort}` });
});

test.afterAll(async () => {
  await stopApp(app);
  await new Promise((resolve) => forest?.close(resolve) ?? resolve());
});

// Reloads `path` until `check` passes: what a person without JavaScript does.
async function until(page, path, javaScriptEnabled, check, timeout = 60_000) {
  await expect(async () => {
    await visit(page, path, javaScriptEnabled);
    await check();
  }).toPass({ timeout });
}

test('messy data to migrated, verified and 6 of 6, watched by a viewer, then reverted', async ({ page, browser, javaScriptEnabled }) => {
  test.setTimeout(240_000);
  await signIn(page, 'release', javaScriptEnabled);
  await visit(page, '/checklist', javaScriptEnabled);
  await expect(page.getByTestId('readiness')).toContainText('The migration cannot start yet.');

  // Clean the duplicates (oldest kept).
  await visit(page, '/duplicates', javaScriptEnabled);
  const cleanup = page.getByRole('region', { name: 'Clean up' });
  await cleanup.getByLabel('Database name to apply').fill('forest');
  await cleanup.getByRole('button', { name: 'Apply the cleanup' }).click();
  await until(page, '/duplicates', javaScriptEnabled, async () => {
    await expect(page.getByRole('region', { name: 'tasks.clientId' }).getByTestId('duplicate-summary'))
      .toContainText(/^0 duplicated values/, { timeout: 1_000 });
  });

  // Back up, then rehearse on that backup.
  await verifiedBackup(page, javaScriptEnabled, folder);
  await visit(page, '/runbook', javaScriptEnabled);
  await page.locator('#rehearsal').getByRole('button', { name: 'Run rehearsal' }).click();
  await until(page, '/runbook', javaScriptEnabled, async () => {
    await expect(page.locator('#rehearsal').getByTestId('rehearsal-state')).toHaveText('passed', { timeout: 1_000 });
  });

  // A viewer watches the Runbook while the release manager migrates.
  const viewerContext = await browser.newContext({ baseURL: `http://127.0.0.1:${port}`, javaScriptEnabled: true });
  const viewer = await viewerContext.newPage();
  await signIn(viewer, 'viewer', true);
  await visit(viewer, '/runbook', true);
  await expect(viewer.getByTestId('migration-state')).toHaveText('pending');

  await page.getByRole('button', { name: 'Run migrate' }).click();
  await expect(viewer.getByTestId('migration-state')).toHaveText('applied', { timeout: 20_000 });
  await expect(viewer.getByRole('table', { name: 'Run history' })).toContainText('migrate');
  await viewerContext.close();

  await visit(page, '/runbook', javaScriptEnabled);
  await page.getByRole('button', { name: 'Run verify' }).click();
  await until(page, '/runbook', javaScriptEnabled, async () => {
    await expect(page.locator('#latest-verification')).toContainText('Verification passed.', { timeout: 1_000 });
  });

  // The devices collection exists now: its chart has a count scale and dates.
  await visit(page, '/devices', javaScriptEnabled);
  const perDay = page.getByRole('img', { name: 'New registrations per day (UTC)' });
  await expect(perDay).toBeVisible();
  const frame = page.locator('.bar-chart .chart-frame');
  await expect(frame.locator('.y-axis span')).toHaveText(['2', '1', '0']);
  const dates = frame.locator('.x-axis span');
  await expect(dates).toHaveCount(5);
  for (const label of [frame.locator('.y-axis span').first(), dates.first(), dates.last()]) {
    await expect(label).toBeVisible();
    expect((await label.boundingBox()).width, 'an axis label takes room').toBeGreaterThan(5);
  }
  await expect(dates.last()).toHaveText(new Date().toISOString().slice(0, 10));
  const [firstDate, secondDate] = await Promise.all([0, 1].map((n) => dates.nth(n).boundingBox()));
  expect(firstDate.x + firstDate.width, 'dates do not overlap').toBeLessThan(secondDate.x);
  await page.screenshot({ path: `artifacts/devices-${test.info().project.name}.png`, fullPage: true });

  // The Forest API answers after the migration.
  await visit(page, '/forest-api', javaScriptEnabled);
  await page.getByRole('button', { name: 'Probe now' }).first().click();

  // No log folder is watched here: the log item is ticked by a person.
  await visit(page, '/checklist', javaScriptEnabled);
  const logs = page.getByRole('listitem', { name: 'Monitor error logs during deployment' });
  await logs.getByLabel('Note').fill('no errors in the Forest server logs');
  await logs.getByRole('button', { name: 'Tick Monitor error logs during deployment' }).click();
  await until(page, '/checklist', javaScriptEnabled, async () => {
    await expect(page.getByTestId('checklist-progress')).toContainText('6 of 6 done', { timeout: 1_000 });
  });
  for (const title of ['Backup database', 'Test migration in staging environment', 'Verify API endpoints work',
    'Check database indexes created successfully', 'Test rollback procedure in staging']) {
    await expect(page.getByRole('listitem', { name: title }).locator('.evidence.ok')).toBeVisible();
  }

  // An admin rolls back.
  await signIn(page, 'admin', javaScriptEnabled);
  await visit(page, '/runbook', javaScriptEnabled);
  await page.getByLabel('Database name').fill('forest');
  await page.getByRole('button', { name: 'Revert the migration' }).click();
  await until(page, '/runbook', javaScriptEnabled, async () => {
    await expect(page.getByTestId('migration-state')).toHaveText('rolled_back', { timeout: 1_000 });
  });

  // The report: what happened, in order, with who did it.
  await visit(page, '/report', javaScriptEnabled);
  await expect(page.getByTestId('report-numbers')).toContainText('1 rollback');
  const events = page.getByRole('table', { name: 'Deployment events' });
  const whats = await events.locator('tbody tr td:nth-child(3)').allTextContents();
  // The plan: each change as migrate left it, applied.
  const applied = whats.filter((what) => what.startsWith('migrate: ')).length;
  expect(applied).toBeGreaterThan(4);
  const plan = page.getByRole('table', { name: 'The plan' }).locator('tbody tr');
  await expect(plan).toHaveCount(applied);
  await expect(plan.filter({ hasText: 'applied' })).toHaveCount(applied);
  const first = (prefix) => whats.findIndex((what) => what.startsWith(prefix));
  for (const step of ['dedupe.apply', 'backup.create', 'step.rehearse', 'step.migrate', 'step.verify',
    'checklist.tick add_mobile_sync_support/logs', 'step.revert']) {
    expect(first(step), `${step} is reported`).toBeGreaterThanOrEqual(0);
  }
  expect(first('dedupe.apply')).toBeLessThan(first('backup.create'));
  expect(first('migrate: ')).toBeLessThan(first('step.migrate'));
  expect(first('step.migrate')).toBeLessThan(first('step.verify'));
  expect(first('step.verify')).toBeLessThan(first('checklist.tick add_mobile_sync_support/logs'));
  expect(first('revert: ')).toBeLessThan(first('step.revert'));
  const tick = events.locator('tr', { hasText: 'checklist.tick add_mobile_sync_support/logs' });
  await expect(tick).toContainText('release');
  await expect(tick).toContainText('no errors in the Forest server logs');
  await expect(tick.getByRole('link', { name: 'Checklist' })).toHaveAttribute('href', '/checklist');
  // The note reads as a sentence, not a column of syllables.
  const note = await tick.locator('td:nth-child(6)').boundingBox();
  expect(note.width).toBeGreaterThan(150);
  // A table a person can read: rows side by side, not squeezed into a
  // column, and within the page's column rather than running past it.
  const box = await events.boundingBox();
  expect(box.width).toBeGreaterThan(900);
  const column = await page.locator('main').boundingBox();
  expect(box.x + box.width).toBeLessThanOrEqual(column.x + column.width + 1);

  // The download is one file that reads the same without the runbook.
  const response = await page.request.get('/report.html');
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain('checklist.tick add_mobile_sync_support/logs');
  expect(html).not.toContain('/pkg/');
  expect(html).toMatch(/href="http:\/\/[^"]+\/checklist"/);
  const offline = await browser.newContext({ javaScriptEnabled: false, offline: true });
  const file = await offline.newPage();
  await file.setContent(html);
  await expect(file.getByRole('table', { name: 'Deployment events' }).locator('tbody tr'))
    .toHaveCount(whats.length);
  const header = file.getByRole('table', { name: 'Deployment events' }).locator('th').first();
  expect(await header.evaluate((th) => getComputedStyle(th).textAlign)).toBe('left');
  await file.screenshot({ path: `artifacts/report-download-${javaScriptEnabled ? 'hydrated' : 'no-js'}.png`, fullPage: true });
  await offline.close();
  await page.screenshot({ path: `artifacts/report-${javaScriptEnabled ? 'hydrated' : 'no-js'}.png`, fullPage: true });
});
