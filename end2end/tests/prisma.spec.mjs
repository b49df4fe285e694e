// The Prisma page: with the Forest schema in the checkout, a person reads
// that `prisma db push` would drop the migration's two indexes and stop on
// code 86, and the edit that prevents it; after applying that edit with
// `patch`, the page says the schema agrees. The schema is removed at the
// end, so later specs see an unreadable schema (a warning), not a failure.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { signIn, visit } from '../helpers/session.mjs';

// FOREST_FOREST__CHECKOUT in playwright.config.mjs, plus the default schema path.
const CHECKOUT = fileURLToPath(new URL('../../target/e2e/forest/', import.meta.url));
const SCHEMA = `${CHECKOUT}apps/server/prisma/schema.prisma`;
const FIXTURE = fileURLToPath(new URL('../../tests/fixtures/prisma/pinned.prisma', import.meta.url));

test.beforeEach(() => {
  mkdirSync(`${CHECKOUT}apps/server/prisma`, { recursive: true });
  copyFileSync(FIXTURE, SCHEMA);
});

test.afterAll(() => rmSync(SCHEMA, { force: true }));

async function open(page, javaScriptEnabled) {
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message.slice(0, 400)}`));
  await signIn(page, 'viewer', javaScriptEnabled);
  await visit(page, '/prisma', javaScriptEnabled);
  await expect(page.getByRole('heading', { level: 1, name: 'Prisma' })).toBeVisible();
}

test('a viewer reads what db push would drop and where it fails, and the edit', async ({ page, javaScriptEnabled }) => {
  await open(page, javaScriptEnabled);
  await expect(page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Prisma' })).toBeVisible();
  await expect(page.getByTestId('prisma-verdict')).toContainText('The schema and the migration disagree');

  const pushes = page.getByRole('table', { name: /^db push/ });
  for (const index of ['Device_userId_idx', 'User_lastSyncedAt_idx']) {
    await expect(pushes.getByRole('row').filter({ hasText: 'drop index' }).filter({ hasText: index }).first()).toBeVisible();
  }
  await expect(
    pushes.getByRole('row').filter({ hasText: 'Task_clientId_key' }).filter({ hasText: 'fails, code 86' }).first(),
  ).toBeVisible();

  const diff = page.getByLabel('Schema diff');
  await expect(diff).toContainText('+  @@index([userId], map: "Device_userId_idx")');
  await expect(diff).toContainText('+  @@index([lastSyncedAt], map: "User_lastSyncedAt_idx")');
  await expect(diff).toContainText('-  clientId    String?   @unique(map: "Task_clientId_key")');
  await expect(page.getByText(/findFirst/).first()).toBeVisible();
  await expect(page.getByText('mongodb-schema-describer/src/lib.rs', { exact: false }).first()).toBeVisible();
  await expect(page.getByRole('table', { name: 'Task indexes' })).toContainText('invisible to db push');

  await page.screenshot({ path: `test-results/prisma-${javaScriptEnabled ? 'hydrated' : 'no-js'}.png`, fullPage: true });
});

test('after applying the printed diff, the page says the schema agrees', async ({ page, javaScriptEnabled }) => {
  await open(page, javaScriptEnabled);
  const diff = await page.getByLabel('Schema diff').textContent();
  writeFileSync(`${CHECKOUT}edit.diff`, diff);
  execFileSync('patch', ['-p1', '-d', CHECKOUT, '-i', `${CHECKOUT}edit.diff`]);
  await page.reload();
  await expect(page.getByTestId('prisma-verdict')).toHaveText(
    "The schema agrees: prisma db push would keep the migration's indexes.",
  );
  await expect(page.getByLabel('Schema diff')).toHaveCount(0);
});

test("a release manager's dry run carries the Prisma row, linked to this page", async ({ page, javaScriptEnabled }) => {
  await signIn(page, 'release', javaScriptEnabled);
  await visit(page, '/runbook', javaScriptEnabled);
  await page.getByRole('button', { name: 'Run dry run' }).click();
  const row = page.getByTestId('plan-prisma');
  await expect(row).toContainText('Prisma schema agrees: fail.');
  await expect(row).toContainText('Device_userId_idx');
  await expect(row.getByRole('link', { name: 'Details' })).toHaveAttribute('href', '/prisma');
  // The row informs; it never blocks migrate (other blockers may, such as a missing backup).
  await expect(page.getByText(/cannot start.*Prisma/)).toHaveCount(0);
});

test('the Runbook explains the seed’s Prisma steps and rollback option 1 in place', async ({ page, javaScriptEnabled }) => {
  await signIn(page, 'viewer', javaScriptEnabled);
  await visit(page, '/runbook', javaScriptEnabled);
  const steps = page.getByLabel("The seed's steps 2 and 3");
  await expect(steps).toContainText('pnpm db:generate, regenerates the Prisma client');
  await expect(steps).toContainText('prisma migrate is not available on MongoDB');
  const rollback = page.getByLabel('Rollback and troubleshooting');
  await expect(rollback).toContainText('prisma migrate resolve --rolled-back, does not apply');
  await expect(rollback).toContainText('Revert, here, is its equivalent');
  await expect(rollback).toContainText('Collection not found');
});
