// The Monitor's history: the range is a query parameter, so the last 24
// hours render from the kept minutes with JavaScript off as well; the
// comparison around the migration says what it compares.
import { test, expect } from '@playwright/test';
import { signInAndOpen } from '../helpers/session.mjs';

test.use({ viewport: { width: 1280, height: 900 } });

test('/monitor?range=24h charts the kept minutes', async ({ page, javaScriptEnabled }, testInfo) => {
  // A fresh app keeps its first minute when the next one begins.
  test.setTimeout(150_000);
  await signInAndOpen(page, 'viewer', '/monitor?range=24h', javaScriptEnabled);
  const chart = page.getByRole('img', { name: 'Connections: the last 24 hours' });
  await expect(async () => {
    await page.goto('/monitor?range=24h');
    await expect(chart).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 120_000, intervals: [5_000] });

  await expect(page.getByRole('link', { name: 'The last 24 hours' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('history-span')).toContainText('one point every 10 minutes');
  await expect(page.getByTestId('history-span')).toContainText('kept in the database (7 days)');
  const line = chart.locator('polyline').first();
  await expect(line).toHaveCount(1);
  expect(await line.evaluate((el) => getComputedStyle(el).fill)).toBe('none');
  await expect(page.locator('td[data-series="connections/current"]')).toHaveText(/\d/);
  // No live stream on a past range.
  await expect(page.getByTestId('last-sample')).toHaveCount(0);
  await page.screenshot({ path: `artifacts/monitor-24h-${testInfo.project.name}.png`, fullPage: true });
});

test('the range choice links every range and refuses an unknown one', async ({ page, javaScriptEnabled }) => {
  await signInAndOpen(page, 'viewer', '/monitor?range=compare', javaScriptEnabled);
  const ranges = page.getByRole('navigation', { name: 'Range' });
  await expect(ranges.getByRole('link')).toHaveText([
    'Live: the last 15 minutes',
    'Since the deployment started',
    'The last 24 hours',
    'Before and after the migration',
  ]);
  await expect(ranges.getByRole('link', { name: 'Before and after the migration' })).toHaveAttribute('aria-current', 'page');
  // A fresh database has no migrate run: the page says so.
  await expect(page.getByRole('status').filter({ hasText: 'Nothing to compare yet' })).toBeVisible();
  await ranges.getByRole('link', { name: 'Live: the last 15 minutes' }).click();
  await expect(page).toHaveURL(/\/monitor$/);
  await expect(page.getByRole('img', { name: 'Connections: the last 15 minutes' })).toBeVisible();
  await page.goto('/monitor?range=7y');
  await expect(page.getByRole('alert')).toHaveText('There is no range "7y": choose one above.');
});
