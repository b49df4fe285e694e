// Cleaning the duplicates on the messy demo data that command 1 ships: a
// release manager plans the cleanup, downloads it, applies it behind the
// typed database name and undoes it; and, on the same fresh deployment,
// acknowledges a failing checklist item. The other specs run on clean data, so
// this one starts a second app, on its own messy embedded database, and
// stops it at the end. Runs hydrated and with JavaScript off.
import { test, expect } from '@playwright/test';
import { portOf, startApp, stopApp } from '../helpers/app.mjs';
import { signIn, visit } from '../helpers/session.mjs';

const port = portOf(100);
test.use({ baseURL: `http://127.0.0.1:${port}` });

let app;

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(120_000);
  app = await startApp(`dedupe-${testInfo.project.name}`, port);
});

test.afterAll(async () => {
  await stopApp(app);
});

test('a release manager plans the cleanup, applies it and undoes it', async ({ page, javaScriptEnabled }) => {
  test.setTimeout(90_000);
  await signIn(page, 'release', javaScriptEnabled);
  await visit(page, '/checklist', javaScriptEnabled);
  await expect(page.getByTestId('readiness')).toContainText('The migration cannot start yet.');
  await expect(page.getByRole('region', { name: 'Readiness' })).toContainText('tasks.clientId has');

  await visit(page, '/duplicates', javaScriptEnabled);
  const cleanup = page.getByRole('region', { name: 'Clean up' });
  await expect(cleanup.getByTestId('cleanup-summary')).toContainText(/The plan changes [1-9]\d* documents, keeping the oldest/);
  const planned = cleanup.getByRole('table', { name: 'Documents the cleanup changes' });
  await expect(planned.getByRole('row').nth(1)).toContainText('unset');
  await expect(page.getByRole('region', { name: 'tasks.clientId' }).getByTestId('duplicate-summary')).not.toContainText(/^0 duplicated/);

  // The rule is in the address: the newest by updatedAt.
  await cleanup.getByLabel('Keep').selectOption('newest');
  await cleanup.getByRole('button', { name: 'Plan the cleanup' }).click();
  await expect(page).toHaveURL(/keep=newest/);
  // The plain form loaded a new page: wait until it is live again.
  const { pathname, search } = new URL(page.url());
  await visit(page, pathname + search, javaScriptEnabled);
  await expect(cleanup.getByTestId('cleanup-summary')).toContainText('keeping the newest');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    cleanup.getByRole('link', { name: 'Download the plan as CSV' }).click(),
  ]);
  const { readFile } = await import('node:fs/promises');
  const csv = await readFile(await download.path(), 'utf8');
  expect(csv.split('\n')[0]).toBe('key,value,_id,action,kept _id');
  expect(csv).toContain('tasks.clientId');

  await cleanup.getByLabel('Database name to apply').fill('not-the-database');
  await cleanup.getByRole('button', { name: 'Apply the cleanup' }).click();
  await expect(cleanup.getByRole('alert')).toContainText('type the database name, forest, to confirm');
  await cleanup.getByLabel('Database name to apply').fill('forest');
  await cleanup.getByRole('button', { name: 'Apply the cleanup' }).click();
  // The post comes back to the page, read after the cleanup.
  await expect(cleanup.getByTestId('cleanup-summary')).toContainText('The plan changes 0 documents');
  await expect(page.getByRole('region', { name: 'tasks.clientId' }).getByTestId('duplicate-summary')).toContainText(/^0 duplicated values/);
  const latest = cleanup.getByRole('table', { name: 'Latest cleanups' }).getByRole('row').nth(1);
  await expect(latest).toContainText('succeeded');
  await expect(latest).toContainText(/tasks\.clientId: round 1, .* [1-9]\d* unset, 0 deleted/);
  await visit(page, '/checklist', javaScriptEnabled);
  await expect(page.getByRole('region', { name: 'Readiness' })).not.toContainText('duplicated values');

  await visit(page, '/duplicates', javaScriptEnabled);
  await cleanup.getByLabel('Database name to undo').fill('forest');
  await cleanup.getByRole('button', { name: 'Undo the last cleanup' }).click();
  await expect(cleanup.getByTestId('cleanup-summary')).toContainText(/The plan changes [1-9]\d* documents/);
  await expect(cleanup.getByRole('table', { name: 'Latest cleanups' })).toContainText('rolled_back');
});

test('a viewer sees the duplicates but no cleanup, and the server refuses one', async ({ page, javaScriptEnabled }) => {
  await signIn(page, 'viewer', javaScriptEnabled);
  await visit(page, '/duplicates', javaScriptEnabled);
  await expect(page.getByRole('region', { name: 'tasks.clientId' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Clean up' })).toHaveCount(0);
  const forced = await page.request.post('/api/apply_dedupe', { form: { keep: 'oldest', confirmation: 'forest' } });
  expect(forced.status()).toBe(403);
  const csv = await page.request.get('/dedupe.csv?keep=oldest');
  expect(csv.status()).toBe(403);
});

test('a release manager acknowledges a failing checklist item with a note', async ({ page, javaScriptEnabled }) => {
  await signIn(page, 'release', javaScriptEnabled);
  await visit(page, '/checklist', javaScriptEnabled);
  const item = page.getByRole('listitem', { name: 'Backup database' });
  await item.getByRole('button', { name: 'Tick Backup database' }).click();
  await expect(item.getByText('needs attention', { exact: true })).toBeVisible();
  await expect(item).toContainText('no verified backup was taken in this deployment');

  await visit(page, '/checklist', javaScriptEnabled);
  await item.getByLabel('Why it is acceptable').fill('host snapshot taken at 09:00');
  await item.getByRole('button', { name: 'Acknowledge Backup database' }).click();
  await expect(item.getByText('done (acknowledged)', { exact: true })).toBeVisible();
  await expect(item).toContainText(/Acknowledged by release at \d{4}-\d{2}-\d{2}T.*: host snapshot taken at 09:00/);
  await expect(page.getByTestId('checklist-progress')).toContainText('1 of 6 done');
});
