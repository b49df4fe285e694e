// Shared steps of the specs: open a page as a person would see it become
// live, and sign in as one of the demo accounts.
import { expect } from '@playwright/test';

// The demo accounts get random passwords at a real first start; the test
// server is given this one instead (database.demo_password, in
// playwright.config.mjs), for tests only.
export const DEMO_PASSWORD = 'e2e-only-demo-password';

export const ACCOUNTS = {
  admin: { password: DEMO_PASSWORD, role: 'Admin' },
  release: { password: DEMO_PASSWORD, role: 'Release manager' },
  viewer: { password: DEMO_PASSWORD, role: 'Viewer' },
};

// Opens a page and, when JavaScript is on, waits until it follows changes
// (its live-refresh island has started).
export async function visit(page, path, javaScriptEnabled) {
  await page.goto(path);
  if (javaScriptEnabled) {
    await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  }
}

// Checks what a step left on the page. Hydrated, the page follows the step
// by itself; without JavaScript it is rendered once, so it is reloaded until
// the check passes (each try waits briefly).
export async function settled(page, javaScriptEnabled, check) {
  if (javaScriptEnabled) {
    await check(10_000);
  } else {
    await expect(async () => {
      await page.reload();
      await check(1_000);
    }).toPass({ timeout: 30_000 });
  }
}

// Signs in as a demo account, or as another account given its password and role.
export async function signIn(page, name, javaScriptEnabled, account = ACCOUNTS[name]) {
  await visit(page, '/login', javaScriptEnabled);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Phase 0: mobile sync' })).toBeVisible();
  await expect(page.getByLabel('Signed in as')).toContainText(`${name} · ${account.role}`);
}

// Signs in as `name` and opens `path`, logging the page's uncaught errors.
export async function signInAndOpen(page, name, path, javaScriptEnabled) {
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message.slice(0, 400)}`));
  await signIn(page, name, javaScriptEnabled);
  await visit(page, path, javaScriptEnabled);
}
