// Taking and verifying a backup through the Backups page, as a release
// manager would, and finding it in the app's backups folder.
import { expect } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { visit } from './session.mjs';

// The name of the newest complete backup in `folder` started at or after `since` (ms).
function completeSince(folder, since) {
  return readdirSync(folder)
    .filter((name) => !name.startsWith('.'))
    .map((name) => JSON.parse(readFileSync(`${folder}/${name}/manifest.json`, 'utf8')))
    .filter((m) => m.state === 'complete' && Date.parse(m.startedAt) >= since)
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))[0]?.name;
}

// Takes a backup on the Backups page, waits for it in `folder` (the app's
// backups folder, relative to end2end/), verifies it; answers its name.
export async function verifiedBackup(page, javaScriptEnabled, folder = '../target/e2e/backups') {
  const since = Date.now() - 1_000;
  await visit(page, '/backups', javaScriptEnabled);
  await page.getByRole('button', { name: 'Take a backup' }).click();
  let name;
  await expect(() => {
    name = completeSince(folder, since);
    expect(name).toBeTruthy();
  }).toPass({ timeout: 30_000 });
  await visit(page, '/backups', javaScriptEnabled);
  await page.locator(`[id="backup-${name}"]`).getByRole('button', { name: `Verify ${name}` }).click();
  await expect(async () => {
    await visit(page, '/backups', javaScriptEnabled);
    await expect(page.locator(`[id="backup-${name}"]`)).not.toContainText('not verified', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  return name;
}
