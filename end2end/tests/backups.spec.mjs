// Backups: a release manager takes one and watches it finish; an admin
// restores one behind the typed database name, watches the progress bar
// and is shown the backup of what the restore replaced (with JavaScript
// off too); a release manager is offered no restore and the server
// refuses it; an imported legacy dump's conversions are listed.
import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { settled, signInAndOpen, visit } from '../helpers/session.mjs';

// The app's backups folder in the e2e run (see playwright.config.mjs).
const BACKUPS = '../target/e2e/backups';

// The newest complete backup started after `since` (ms), if any.
function completeSince(since) {
  return readdirSync(BACKUPS)
    .filter((name) => !name.startsWith('.'))
    .map((name) => JSON.parse(readFileSync(`${BACKUPS}/${name}/manifest.json`, 'utf8')))
    .filter((m) => m.state === 'complete' && Date.parse(m.startedAt) >= since)
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))[0];
}

// Adds a TTL index to the tasks metadata of backup `newest`, with the
// manifest's size and checksum to match, as someone who can write the
// backups folder would; answers the backup's name.
function plantTtlIndex(newest) {
  const file = `${newest.database}/tasks.metadata.json`;
  const metadata = JSON.parse(readFileSync(`${BACKUPS}/${newest.name}/${file}`, 'utf8'));
  // About 63 years: shown and accepted, but deleting nothing the other specs use.
  metadata.indexes.push({
    v: { $numberInt: '2' },
    key: { createdAt: { $numberInt: '1' } },
    name: 'createdAt_ttl',
    expireAfterSeconds: { $numberInt: '2000000000' },
  });
  const bytes = Buffer.from(JSON.stringify(metadata));
  writeFileSync(`${BACKUPS}/${newest.name}/${file}`, bytes);
  const entry = newest.collections.find((c) => c.name === 'tasks').files.find((f) => f.path === file);
  entry.bytes = bytes.length;
  entry.sha256 = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(`${BACKUPS}/${newest.name}/manifest.json`, JSON.stringify(newest, null, 2));
  return newest.name;
}

test('a release manager takes a backup from the Runbook and sees it complete', async ({ page, javaScriptEnabled }) => {
  await signInAndOpen(page, 'release', '/runbook', javaScriptEnabled);
  await page.getByRole('button', { name: 'Take a backup' }).click();
  if (javaScriptEnabled) {
    await expect(page.getByTestId('job-state')).toHaveText('done');
    await expect(page.getByRole('progressbar', { name: 'Backup progress' })).toHaveAttribute('value', '100');
    await expect(page.getByRole('table', { name: 'Backup by collection' })).toContainText('tasks');
  } else {
    // Without JavaScript the form posts and the page comes back with the job as it stands.
    await page.goto('/backups');
    await expect(page.getByTestId('job-state')).toHaveText(/running|done/);
  }
  await page.goto('/backups');
  await expect(page.getByRole('table', { name: 'Backups' })).toContainText('complete');
  await expect(page.getByRole('button', { name: 'Restore the backup' })).toHaveCount(0);
});

test('an admin restores a backup after typing the database name and watches the progress', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'the live progress is shown by the hydrated page');
  await signInAndOpen(page, 'admin', '/backups', true);
  const since = Date.now() - 1000;
  await page.getByRole('button', { name: 'Take a backup' }).click();
  await expect(page.getByTestId('job-state')).toHaveText('done');
  // The backup this test took, once its row is listed: until the list has
  // caught up, the first option is an older backup and the list is about
  // to be drawn again, taking with it a click on its buttons.
  await expect.poll(() => completeSince(since) !== undefined).toBe(true);
  const { name } = completeSince(since);
  const table = page.getByRole('table', { name: 'Backups' });
  await expect(table.getByRole('row').filter({ hasText: name })).toContainText('complete');
  await page.getByRole('button', { name: `Verify ${name}` }).click();
  await expect(table.getByRole('row').filter({ hasText: name })).not.toContainText('not verified');

  await page.getByLabel('Backup to restore').selectOption(name);
  await page.getByLabel('Database name').fill('not-the-database');
  await page.getByRole('button', { name: 'Restore the backup' }).click();
  await expect(page.getByRole('alert')).toContainText('type the database name, forest, to confirm');

  await page.getByLabel('Database name').fill('forest');
  await page.getByRole('button', { name: 'Restore the backup' }).click();
  await expect(page.getByRole('progressbar', { name: 'Restore progress' })).toBeVisible();
  await expect(page.getByTestId('job-state')).toHaveText('done');
  await expect(page.getByRole('progressbar', { name: 'Restore progress' })).toHaveAttribute('value', '100');
  await expect(page.getByRole('table', { name: 'Restore by collection' })).toContainText('focus_sessions');
  // What the restore replaced was saved first; its link leads to that backup's row.
  await expect(page.getByText('What the restore replaced was saved first as backup')).toBeVisible();
  const saved = page.getByRole('status').filter({ hasText: 'What the restore replaced' }).getByRole('link');
  const savedName = await saved.textContent();
  expect(savedName).not.toBe(name);
  await page.goto('/backups');
  await expect(table.getByRole('row').filter({ hasText: savedName })).toContainText('complete');
});

test('with JavaScript off an admin restores through the plain form and the page shows the job', async ({ page, javaScriptEnabled }) => {
  test.skip(javaScriptEnabled, 'the hydrated page is covered above');
  await signInAndOpen(page, 'admin', '/backups', false);
  await page.getByRole('button', { name: 'Take a backup' }).click();
  // The plain form posts, and the server sends the browser back to the page.
  await page.waitForURL(/\/backups\??$/);
  await page.waitForLoadState('load');
  await page.goto('/backups');
  await expect(page.getByRole('table', { name: 'Backups' })).toContainText('complete');
  const name = await page.getByLabel('Backup to restore').locator('option').first().getAttribute('value');
  await page.getByLabel('Backup to restore').selectOption(name);
  await page.getByLabel('Database name').fill('forest');
  // The box that accepts the backup's listed options is a plain checkbox.
  await expect(page.getByLabel("I accept the backup's options listed when I tried")).not.toBeChecked();
  await page.getByRole('button', { name: 'Restore the backup' }).click();
  await page.goto('/backups');
  await expect(page.getByRole('progressbar', { name: 'Restore progress' })).toBeVisible();
  await expect(page.getByTestId('job-state')).toHaveText(/running|done/);
  // Reloaded until it is done, the page names the backup of what it replaced.
  await expect(async () => {
    await page.goto('/backups');
    await expect(page.getByTestId('job-state')).toHaveText('done', { timeout: 1000 });
  }).toPass({ timeout: 30000 });
  await expect(page.getByText('What the restore replaced was saved first as backup')).toBeVisible();
});

test('a TTL index in a backup is listed, and the backup restores only once the box is ticked', async ({ page, javaScriptEnabled }) => {
  await signInAndOpen(page, 'admin', '/backups', javaScriptEnabled);
  const since = Date.now() - 1000;
  await page.getByRole('button', { name: 'Take a backup' }).click();
  await expect.poll(() => completeSince(since) !== undefined).toBe(true);
  const name = plantTtlIndex(completeSince(since));
  await visit(page, '/backups', javaScriptEnabled);
  // Without JavaScript the refusal comes back by redirect with an empty
  // form, so the form is filled before each post.
  const restore = async (backup, accept) => {
    await page.getByLabel('Backup to restore').selectOption(backup);
    await page.getByLabel('Database name').fill('forest');
    await page.getByLabel("I accept the backup's options listed when I tried").setChecked(accept);
    await page.getByRole('button', { name: 'Restore the backup' }).click();
  };
  await restore(name, false);
  await expect(page.getByRole('alert')).toContainText('tasks, index createdAt_ttl: expireAfterSeconds 2000000000');
  await expect(page.getByRole('alert')).toContainText('the server deletes each document');

  await restore(name, true);
  await expect(page.getByRole('progressbar', { name: 'Restore progress' })).toBeVisible();
  await settled(page, javaScriptEnabled, async (timeout) => {
    await expect(page.getByTestId('job-state')).toHaveText('done', { timeout });
  });
  await expect(page.getByText('What the restore replaced was saved first as backup')).toBeVisible();

  // Restoring what it replaced undoes it: the TTL index goes again, so the
  // next backups need no acceptance.
  const saved = await page.getByRole('status').filter({ hasText: 'What the restore replaced' }).getByRole('link').textContent();
  await restore(saved, false);
  await settled(page, javaScriptEnabled, async (timeout) => {
    await expect(page.getByText(`Restore of ${saved}`)).toBeVisible({ timeout });
    await expect(page.getByTestId('job-state')).toHaveText('done', { timeout });
  });
});

test('a release manager cannot restore, and a viewer cannot take a backup', async ({ page, javaScriptEnabled }) => {
  await signInAndOpen(page, 'release', '/backups', javaScriptEnabled);
  await expect(page.getByRole('button', { name: 'Restore the backup' })).toHaveCount(0);
  const forced = await page.request.post('/api/start_restore', { form: { name: 'x', confirmation: 'forest' } });
  expect(forced.status()).toBe(403);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await signInAndOpen(page, 'viewer', '/backups', javaScriptEnabled);
  await expect(page.getByRole('heading', { level: 1, name: 'Backups' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Take a backup' })).toHaveCount(0);
  const refused = await page.request.post('/api/start_backup', { form: {} });
  expect(refused.status()).toBe(403);
});

test('an admin imports a mongodump folder with legacy index specs and the listing says what was converted', async ({ page, javaScriptEnabled }, testInfo) => {
  // A dump as an old mongodump wrote it: no documents, and index specs
  // that today's servers refuse as they stand.
  const dump = resolve(`../target/e2e/legacy-dump-${testInfo.project.name}`);
  rmSync(dump, { recursive: true, force: true });
  mkdirSync(`${dump}/forest`, { recursive: true });
  writeFileSync(`${dump}/forest/legacy.bson`, Buffer.alloc(0));
  writeFileSync(`${dump}/forest/legacy.metadata.json`, JSON.stringify({
    options: {},
    indexes: [
      { v: 1, key: { _id: 1 }, name: '_id_', ns: 'forest.legacy' },
      { v: 1, key: { a: 1.5 }, name: 'a_1', ns: 'forest.legacy', safe: true },
    ],
  }));
  await signInAndOpen(page, 'admin', '/backups', javaScriptEnabled);
  await page.getByLabel('Folder written by mongodump (on the server)').fill(dump);
  await page.getByRole('button', { name: 'Import', exact: true }).click();

  const row = page.getByRole('row').filter({ hasText: `imported from ${dump}` });
  await expect(row).toHaveCount(1);
  const converted = row.getByRole('list', { name: 'Converted' });
  await expect(converted).toBeHidden();
  await row.getByText(/^Converted from legacy metadata \(\d+\)$/).click();
  await expect(converted).toBeVisible();
  await expect(converted).toContainText('index a_1: safe: true left out');
  await row.screenshot({ path: `artifacts/backups-converted-${testInfo.project.name}.png` });
  if (javaScriptEnabled) {
    // The page read again after a change (a probe of the Forest API)
    // leaves open what the person opened.
    const reread = page.waitForResponse(
      (response) => response.request().resourceType() === 'fetch' && new URL(response.url()).pathname === '/backups',
    );
    const probed = await page.request.post('/api/probe_now', { headers: { Origin: new URL(page.url()).origin } });
    expect(probed.ok()).toBe(true);
    await (await reread).finished();
    await page.waitForTimeout(300);
    await expect(converted).toBeVisible();
  }

  // Leaves the listing as the other specs expect it.
  const name = (await row.locator('code').textContent()).trim();
  await row.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(page.getByRole('row').filter({ hasText: `imported from ${dump}` })).toHaveCount(0);
  rmSync(dump, { recursive: true, force: true });
});
