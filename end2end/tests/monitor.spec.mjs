// The Monitor: charts of the last 15 minutes that move without a reload
// when hydrated, the latest window when JavaScript is off, and thresholds
// an admin sets that raise an alert.
import { test, expect } from '@playwright/test';
import { signInAndOpen } from '../helpers/session.mjs';

async function signInAndOpenMonitor(page, name, javaScriptEnabled) {
  await signInAndOpen(page, name, '/monitor', javaScriptEnabled);
  await expect(page.getByRole('heading', { level: 1, name: 'Monitor' })).toBeVisible();
}

test('the charts update without a reload', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'live updates need JavaScript');
  await signInAndOpenMonitor(page, 'viewer', true);
  await expect(page.locator('[data-live="true"]')).toBeVisible();
  await page.evaluate(() => { window.__sameDocument = true; });
  const lastSample = page.getByTestId('last-sample');
  const connections = page.locator('td[data-series="connections/current"]');
  await expect(connections).toHaveText(/\d/);
  const before = await lastSample.textContent();
  // Two sample intervals (2 s each) and a margin.
  await page.waitForTimeout(4_500);
  await expect(lastSample).not.toHaveText(before);
  await expect(page.getByRole('img', { name: 'Operations per second: the last 15 minutes' })).toBeVisible();
  await expect(page.locator('td[data-series="ops/command"]')).toHaveText(/\d/);
  expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
});

test('without JavaScript the page shows the latest window', async ({ page, javaScriptEnabled }) => {
  await signInAndOpenMonitor(page, 'viewer', javaScriptEnabled);
  await expect(page.getByRole('img', { name: 'Connections: the last 15 minutes' })).toBeVisible();
  await expect(page.locator('td[data-series="connections/current"]')).toHaveText(/\d/);
  await expect(page.getByTestId('last-sample')).toContainText('UTC');
  await expect(page.getByTestId('monitor-migration-state')).toHaveText(/pending|applied|rolled_back/);
  await expect(page.getByRole('button', { name: 'Set threshold' })).toHaveCount(0);
});

test('an admin sets a threshold that raises an alert, then clears it', async ({ page, javaScriptEnabled }) => {
  await signInAndOpenMonitor(page, 'admin', javaScriptEnabled);
  await page.getByLabel('Series').fill('connections/current');
  await page.getByLabel('Alert when the value is').selectOption('below');
  await page.getByLabel('Limit').fill('100000');
  await page.getByRole('button', { name: 'Set threshold' }).click();
  const alerts = page.getByRole('list', { name: 'Alerts' });
  await expect(alerts).toContainText('connections/current below 100000');
  await expect(alerts).toContainText('still in breach');
  await expect(page.getByRole('table', { name: 'Thresholds' })).toContainText('connections/current');
  await expect(page.locator('tr.breach td[data-series="connections/current"]')).toBeVisible();

  await page.getByRole('button', { name: 'Clear the threshold on connections/current' }).click();
  await expect(page.getByRole('list', { name: 'Alerts' })).toHaveCount(0);
  await expect(page.getByText('No threshold crossed in the last 15 minutes.')).toBeVisible();
});
