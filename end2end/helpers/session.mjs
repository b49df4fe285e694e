// Signing in as a demo account and opening a page, shared by the specs.
import { expect } from '@playwright/test';

export const PASSWORDS = { admin: 'forest-admin-demo', release: 'forest-release-demo', viewer: 'forest-viewer-demo' };

// Signs in as `name`, opens `path` and, when JavaScript is on, waits until
// the page is hydrated and its guarded part is live.
export async function signInAndOpen(page, name, path, javaScriptEnabled) {
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message.slice(0, 400)}`));
  await page.goto('/login');
  if (javaScriptEnabled) {
    await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  }
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(PASSWORDS[name]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Signed in as')).toContainText(name);
  await page.goto(path);
  if (javaScriptEnabled) {
    await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
  }
}
