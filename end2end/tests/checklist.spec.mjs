// The deployment checklist and the duplicate reports: a release manager
// ticks an item and sees who and when; a viewer reads but cannot tick; the
// duplicates of a key download as CSV. Runs hydrated and with JavaScript off.
import { test, expect } from '@playwright/test';
import { signIn, visit } from '../helpers/session.mjs';

test('a release manager ticks an item with a note, sees name and time, and unticks it', async ({ page, javaScriptEnabled }) => {
  // The two projects share one database: each ticks its own item. A
  // rehearsal (rehearsal.spec, in the hydrated run) may have proven or
  // failed the item by the time the run without JavaScript gets here: its
  // evidence then decides the status, and the tick is only recorded.
  const [key, title] = javaScriptEnabled
    ? ['staging', 'Test migration in staging environment']
    : ['rollback', 'Test rollback procedure in staging'];
  await signIn(page, 'release', javaScriptEnabled);
  await visit(page, '/checklist', javaScriptEnabled);
  await expect(page.getByRole('heading', { level: 1, name: 'Checklist' })).toBeVisible();
  await expect(page.getByTestId('readiness')).toBeVisible();
  await expect(page.getByTestId('checklist-progress')).toContainText(/\d of 6 done/);
  // The duplicates behind the verdict are a kept count, and say when it
  // was made, as a muted footnote rather than in the verdict's colour.
  const counted = page.getByTestId('duplicates-counted');
  await expect(counted).toContainText(/^Duplicates as counted at \d{4}-\d{2}-\d{2}T/);
  const colour = (locator) => locator.evaluate((element) => getComputedStyle(element).color);
  expect(await colour(counted)).not.toBe(await colour(page.getByTestId('readiness')));

  const item = page.getByRole('listitem', { name: title });
  const status = item.getByTestId(`status-${key}`);
  const before = await status.textContent();
  const proven = (await item.locator('.evidence').count()) > 0;
  if (!proven) {
    expect(before).toBe('open');
  }
  await item.getByLabel('Note').fill('ran against the staging copy');
  await item.getByRole('button', { name: `Tick ${title}` }).click();
  await expect(item).toContainText(/Ticked by release at \d{4}-\d{2}-\d{2}T/);
  await expect(item).toContainText('ran against the staging copy');
  await expect(status).toHaveText(proven ? before : 'done');

  await item.getByRole('button', { name: `Untick ${title}` }).click();
  await expect(status).toHaveText(before);
  await expect(item).not.toContainText('Ticked by');
});

test('a viewer reads the checklist but is offered no tick and the server refuses one', async ({ page, javaScriptEnabled }) => {
  await signIn(page, 'viewer', javaScriptEnabled);
  await visit(page, '/checklist', javaScriptEnabled);
  await expect(page.getByRole('listitem', { name: 'Backup database' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^(Tick|Untick) / })).toHaveCount(0);
  const forced = await page.request.post('/api/set_checklist_item', { form: { item: 'backup', done: 'true' } });
  expect(forced.status()).toBe(403);
});

test('the duplicates of a unique key download as CSV', async ({ page, javaScriptEnabled }) => {
  await signIn(page, 'viewer', javaScriptEnabled);
  await visit(page, '/duplicates', javaScriptEnabled);
  const section = page.getByRole('region', { name: 'tasks.clientId' });
  await expect(section.getByTestId('duplicate-summary')).toContainText('duplicated values');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    section.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('duplicates-tasks.clientId.csv');
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(path, 'utf8');
  expect(text.split('\n')[0]).toBe('collection,field,value,count,ids');
});
