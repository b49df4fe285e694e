// The Runbook: a release manager runs the dry run, is refused migrate until
// a verified backup exists, runs migrate and verify and sees each result; an admin reverts behind a typed confirmation; a viewer
// is offered no step.
import { test, expect } from '@playwright/test';
import { settled, signIn, visit } from '../helpers/session.mjs';
import { verifiedBackup } from '../helpers/backups.mjs';

async function signInAndOpenRunbook(page, name, javaScriptEnabled) {
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log(`[browser ${m.type()}] ${m.text().slice(0, 400)}`); });
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message.slice(0, 400)}`));
  await signIn(page, name, javaScriptEnabled);
  await visit(page, '/runbook', javaScriptEnabled);
  if (javaScriptEnabled) {
    await page.waitForLoadState('networkidle');
  }
  await expect(page.getByRole('heading', { level: 1, name: 'Runbook' })).toBeVisible();
}

test('a release manager runs the dry run, migrate and verify and sees each result', async ({ page, javaScriptEnabled }) => {
  await signInAndOpenRunbook(page, 'release', javaScriptEnabled);

  // Migrate refuses without a verified backup taken in this deployment.
  await page.getByRole('button', { name: 'Run migrate' }).click();
  await expect(page.getByRole('alert')).toContainText('no verified backup was taken in this deployment');
  if (javaScriptEnabled) {
    // The job panel may still show an earlier spec's finished job: wait for ours by name.
    const job = page.locator('p', { has: page.getByTestId('job-state') }).locator('code');
    const before = (await job.count()) > 0 ? await job.textContent() : '';
    await page.getByRole('button', { name: 'Take a backup' }).click();
    await expect(job).not.toHaveText(before);
    await expect(page.getByTestId('job-state')).toHaveText('done');
    const name = await job.textContent();
    await visit(page, '/backups', true);
    const ours = page.locator(`[id="backup-${name}"]`);
    await ours.getByRole('button', { name: /^Verify / }).click();
    await expect(ours).not.toContainText('not verified');
  } else {
    await verifiedBackup(page, false);
  }
  await visit(page, '/runbook', javaScriptEnabled);

  await page.getByRole('button', { name: 'Run dry run' }).click();
  const plan = page.getByRole('table', { name: 'Plan' });
  await expect(plan).toContainText('Task_clientId_key');
  await expect(page.getByText('Ready: migrate would run.')).toBeVisible();

  await page.getByRole('button', { name: 'Run migrate' }).click();
  await settled(page, javaScriptEnabled, async (timeout) => {
    await expect(page.getByTestId('migration-state')).toHaveText('applied', { timeout });
    await expect(page.getByRole('region', { name: 'Running now' })).toHaveCount(0, { timeout });
  });
  const run = page.getByRole('table', { name: 'migrate run' });
  await expect(run).toContainText('FocusSession_clientId_key');
  await expect(run.getByRole('cell', { name: 'failed' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Run verify' }).click();
  await expect(page.getByText('Verification passed.')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Verification' })).toContainText('no duplicated tasks.clientId');
  await expect(page.getByRole('button', { name: 'Revert the migration' })).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Run history' })).toContainText('migrate');
});

test('an admin reverts only after typing the database name', async ({ page, javaScriptEnabled }) => {
  await signInAndOpenRunbook(page, 'admin', javaScriptEnabled);
  const confirmation = page.getByLabel('Database name');
  await confirmation.fill('not-the-database');
  await page.getByRole('button', { name: 'Revert the migration' }).click();
  await expect(page.getByRole('alert')).toContainText('type the database name, forest, to confirm');

  await confirmation.fill('forest');
  await page.getByRole('button', { name: 'Revert the migration' }).click();
  await settled(page, javaScriptEnabled, async (timeout) => {
    await expect(page.getByTestId('migration-state')).toHaveText('rolled_back', { timeout });
    await expect(page.getByRole('table', { name: 'revert run' })).toContainText('drop collection devices', { timeout });
  });
});

test('a dry run is kept: its plan shows after the form posts, with JavaScript or without, and to a viewer too', async ({ page, browser, javaScriptEnabled }) => {
  await signInAndOpenRunbook(page, 'release', javaScriptEnabled);
  await page.getByRole('button', { name: 'Run dry run' }).click();
  await expect(page.getByText(/^Latest dry run, by release at \d{4}-/)).toBeVisible();
  await expect(page.getByRole('table', { name: 'Plan' })).toContainText('Task_clientId_key');
  // The verdict is marked as the home page marks one: red when migrate would refuse, green when it would run.
  const verdict = page.getByRole('status').filter({ hasText: /^(Ready: migrate would run\.|Migrate would refuse:)/ });
  // Text and colour read together: specs running beside this one may change the verdict.
  await expect
    .poll(() =>
      verdict.evaluate((element) => {
        const refused = element.textContent.startsWith('Migrate would refuse');
        return getComputedStyle(element).borderLeftColor === (refused ? 'rgb(179, 38, 30)' : 'rgb(46, 133, 64)');
      }),
    )
    .toBe(true);
  await expect(verdict).toHaveCSS('border-left-width', '6px');
  await page.screenshot({ path: `artifacts/runbook-dry-run-${javaScriptEnabled ? 'hydrated' : 'no-js'}.png`, fullPage: true });

  const viewerContext = await browser.newContext({ baseURL: new URL(page.url()).origin, javaScriptEnabled });
  const viewer = await viewerContext.newPage();
  await signInAndOpenRunbook(viewer, 'viewer', javaScriptEnabled);
  await expect(viewer.getByText(/^Latest dry run, by release at /)).toBeVisible();
  await expect(viewer.getByRole('table', { name: 'Plan' })).toContainText('Task_clientId_key');
  await viewerContext.close();
});

test('a viewer sees the state and history but no step to run', async ({ page, javaScriptEnabled }) => {
  await signInAndOpenRunbook(page, 'viewer', javaScriptEnabled);
  await expect(page.getByTestId('migration-state')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Run history' })).toBeVisible();
  for (const name of ['Run dry run', 'Run migrate', 'Run verify', 'Revert the migration']) {
    await expect(page.getByRole('button', { name })).toHaveCount(0);
  }
  const forced = await page.request.post('/api/run_migrate', { form: {} });
  expect(forced.status()).toBe(403);
});
