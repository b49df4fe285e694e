// What a person sees, not only what is in the page: the Monitor's charts
// draw lines (no filled black shapes), its panels stand side by side at a
// laptop's width, and each run leaves screenshots of the main pages under
// end2end/artifacts/ for a person to look at.
import { test, expect } from '@playwright/test';
import { signInAndOpen } from '../helpers/session.mjs';

test.use({ viewport: { width: 1280, height: 900 } });

async function screenshot(page, name, testInfo) {
  await page.screenshot({
    path: `artifacts/${name}-${testInfo.project.name}.png`,
    fullPage: true,
  });
}

test('the Monitor draws its charts as lines, in panels side by side', async ({ page, javaScriptEnabled }, testInfo) => {
  await signInAndOpen(page, 'viewer', '/monitor', javaScriptEnabled);
  const chart = page.getByRole('img', { name: 'Connections: the last 15 minutes' });
  await expect(chart).toBeVisible();

  const line = chart.locator('polyline').first();
  const drawn = await line.evaluate((el) => {
    const style = getComputedStyle(el);
    return { fill: style.fill, stroke: style.stroke, width: parseFloat(style.strokeWidth) };
  });
  expect(drawn.fill, 'a chart line is not filled').toBe('none');
  expect(drawn.stroke, 'a chart line has a colour').not.toMatch(/^(none|rgb\(0, 0, 0\))$/);
  expect(drawn.width).toBeGreaterThan(0);

  const chartBox = await chart.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(chartBox, 'the chart has its light background').not.toBe('rgb(0, 0, 0)');

  const panels = page.locator('.panels > .panel');
  expect(await panels.count()).toBeGreaterThan(1);
  const first = await panels.nth(0).boundingBox();
  const second = await panels.nth(1).boundingBox();
  expect(second.y, 'the first two panels share a row').toBeCloseTo(first.y, 0);
  expect(second.x).toBeGreaterThan(first.x + first.width - 1);
  expect(first.width, 'a panel is narrower than half the page').toBeLessThan(640);

  await screenshot(page, 'monitor', testInfo);
});

test('screenshots of Home and the Runbook for a person to look at', async ({ page, javaScriptEnabled }, testInfo) => {
  await signInAndOpen(page, 'release', '/', javaScriptEnabled);
  const call = page.getByRole('status', { name: 'Go or no-go' });
  await expect(call).toHaveText(/^(Go|No-go|Running|Complete): .+ of 6 checklist items done\.$/);
  const edge = await call.evaluate((el) => getComputedStyle(el).borderLeftWidth);
  expect(parseFloat(edge), 'the call stands out with its coloured edge').toBeGreaterThan(3);
  await expect(page.getByRole('table', { name: 'Latest evidence' })).toContainText('Forest API probe');
  await screenshot(page, 'home', testInfo);
  await page.goto('/runbook');
  await expect(page.getByRole('heading', { level: 1, name: 'Runbook' })).toBeVisible();
  const body = await page.locator('body').evaluate((el) => {
    const style = getComputedStyle(el);
    return { color: style.color, background: style.backgroundColor };
  });
  expect(body.color, 'the text colour differs from the page colour').not.toBe(body.background);
  await screenshot(page, 'runbook', testInfo);
});
