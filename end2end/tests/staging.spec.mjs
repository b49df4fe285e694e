// Rehearse: a release manager rehearses the whole sequence on a copy while
// a viewer, in a second browser, watches the same Runbook step reach
// "passed" without reloading; the checklist's two staging items are then
// proven by it. Runs hydrated and with JavaScript off, after runbook.spec
// (which expects no verified backup yet).
import { test, expect } from '@playwright/test';
import { verifiedBackup } from '../helpers/backups.mjs';
import { signIn, visit } from '../helpers/session.mjs';

test('a rehearsal runs on a copy, a viewer watches it pass, and it proves the staging items', async ({ page, browser, javaScriptEnabled }) => {
  test.setTimeout(120_000);
  await signIn(page, 'release', javaScriptEnabled);
  await verifiedBackup(page, javaScriptEnabled);

  // A viewer with the Runbook open in a browser of their own.
  const viewerContext = await browser.newContext({ baseURL: new URL(page.url()).origin, javaScriptEnabled: true });
  const viewer = await viewerContext.newPage();
  await signIn(viewer, 'viewer', true);
  await visit(viewer, '/runbook', true);
  const watched = viewer.locator('#rehearsal');
  await expect(watched.getByRole('button', { name: 'Run rehearsal' })).toHaveCount(0);
  const before = (await watched.getByTestId('rehearsal-state').count()) > 0
    ? await watched.locator('p', { has: viewer.getByTestId('rehearsal-state') }).textContent()
    : '';

  await visit(page, '/runbook', javaScriptEnabled);
  const step = page.locator('#rehearsal');
  await expect(step.getByTestId('rehearsal-preview')).toContainText('of room there');
  await step.getByRole('button', { name: 'Run rehearsal' }).click();

  // The viewer's page moves by itself to this rehearsal's end.
  const heading = watched.locator('p', { has: viewer.getByTestId('rehearsal-state') });
  await expect(heading).not.toHaveText(before, { timeout: 20_000 });
  await expect(watched.getByTestId('rehearsal-state')).toHaveText('passed', { timeout: 60_000 });
  const steps = watched.getByRole('table', { name: 'Rehearsal steps' });
  await expect(steps.getByRole('row')).toHaveCount(8);
  await expect(steps.locator('tr.step-passed')).toHaveCount(7);
  await expect(steps).toContainText('the same documents');
  // Readable: the passed rows are not hidden or collapsed.
  const box = await steps.boundingBox();
  expect(box.height).toBeGreaterThan(100);
  await viewerContext.close();

  // The person who started it sees the same once the page reads it again.
  await expect(async () => {
    await visit(page, '/runbook', javaScriptEnabled);
    await expect(page.locator('#rehearsal').getByTestId('rehearsal-state')).toHaveText('passed', { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });

  await visit(page, '/checklist', javaScriptEnabled);
  for (const title of ['Test migration in staging environment', 'Test rollback procedure in staging']) {
    const item = page.getByRole('listitem', { name: title });
    await expect(item.getByText('done', { exact: true })).toBeVisible();
    await expect(item.getByRole('link', { name: /rehearsed on backup/ })).toHaveAttribute('href', '/runbook#rehearsal');
  }
});
