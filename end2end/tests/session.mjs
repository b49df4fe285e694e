// Shared steps of the specs: open a page as a person would see it become
// live, and sign in as one of the demo accounts.
import { expect } from '@playwright/test';

export const ACCOUNTS = {
  admin: { password: 'forest-admin-demo', role: 'Admin' },
  release: { password: 'forest-release-demo', role: 'Release manager' },
  viewer: { password: 'forest-viewer-demo', role: 'Viewer' },
};

// Opens a page and, when JavaScript is on, waits until it is hydrated and
// its guarded part is live, so that a click is handled by the app.
export async function visit(page, path, javaScriptEnabled) {
  await page.goto(path);
  if (javaScriptEnabled) {
    await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
    await expect(page.locator('[data-ready="false"]')).toHaveCount(0);
  }
}

export async function signIn(page, name, javaScriptEnabled) {
  await visit(page, '/login', javaScriptEnabled);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(ACCOUNTS[name].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Phase 0: mobile sync' })).toBeVisible();
  await expect(page.getByLabel('Signed in as')).toContainText(`${name} · ${ACCOUNTS[name].role}`);
}
