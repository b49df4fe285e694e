// Signing in as one of the demo accounts and opening a page, waiting for
// it to be live when JavaScript is on. Shared by the specs.
import { expect } from '@playwright/test';

export const PASSWORDS = { admin: 'forest-admin-demo', release: 'forest-release-demo', viewer: 'forest-viewer-demo' };

export async function signInAndOpen(page, name, path, javaScriptEnabled) {
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log(`[browser ${m.type()}] ${m.text().slice(0, 400)}`); });
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
    await page.waitForLoadState('networkidle');
  }
}
