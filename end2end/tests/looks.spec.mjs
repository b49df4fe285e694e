// What a person sees, not only what is in the page: the Monitor's charts
// draw lines (no filled black shapes), its panels stand side by side at a
// laptop's width, and each run leaves screenshots of the main pages under
// end2end/artifacts/ for a person to look at.
import { test, expect } from '@playwright/test';
import { lineStyle } from '../helpers/looks.mjs';
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
  const drawn = await lineStyle(line);
  expect(drawn.fill, 'a chart line is not filled').toBe('none');
  expect(drawn.stroke, 'a chart line has a colour').not.toMatch(/^(none|rgb\(0, 0, 0\))$/);
  expect(drawn.width).toBeGreaterThan(0);

  const chartBox = await chart.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(chartBox, 'the chart has its light background').not.toBe('rgb(0, 0, 0)');

  // The axes: the scale's top and bottom with their unit, three times, the last in UTC.
  const panel = page.locator('section[aria-labelledby="panel-connections"]');
  await expect(panel.getByRole('heading')).toHaveText('Connections database server');
  const scale = panel.locator('.y-axis span');
  await expect(scale).toHaveCount(2);
  await expect(scale.last()).toHaveText('0');
  await expect(scale.first()).toHaveText(/^\d+$/);
  const times = panel.locator('.x-axis span');
  await expect(times).toHaveCount(3);
  await expect(times.last()).toHaveText(/^\d\d:\d\d:\d\d UTC$/);
  for (const label of [scale.first(), times.first(), times.last()]) {
    await expect(label).toBeVisible();
    const box = await label.boundingBox();
    expect(box.width, 'an axis label takes room').toBeGreaterThan(5);
    expect(await label.evaluate((el) => getComputedStyle(el).color)).not.toBe(
      await label.evaluate((el) => getComputedStyle(el.closest('.panel')).backgroundColor),
    );
  }
  const [firstBox, middleBox, lastTime] = await Promise.all([0, 1, 2].map((n) => times.nth(n).boundingBox()));
  expect(firstBox.x + firstBox.width, 'time labels do not overlap').toBeLessThan(middleBox.x);
  expect(middleBox.x + middleBox.width, 'time labels do not overlap').toBeLessThan(lastTime.x);
  const chartBounds = await chart.boundingBox();
  expect(lastTime.x + lastTime.width, 'the last time stays under the chart').toBeLessThanOrEqual(chartBounds.x + chartBounds.width + 1);

  // The legend: each line's colour beside its name and latest value.
  const legend = page.getByRole('table', { name: 'Connections: the last 15 minutes: legend and latest values' });
  await expect(legend).toBeVisible();
  const swatch = legend.locator('.swatch').first();
  const colour = await swatch.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(colour, 'the swatch has the line colour').toBe(drawn.stroke);
  expect((await swatch.boundingBox()).width).toBeGreaterThan(5);

  const panels = page.locator('.panels > .panel');
  expect(await panels.count()).toBeGreaterThan(1);
  const first = await panels.nth(0).boundingBox();
  const second = await panels.nth(1).boundingBox();
  expect(second.y, 'the first two panels share a row').toBeCloseTo(first.y, 0);
  expect(second.x).toBeGreaterThan(first.x + first.width - 1);
  expect(first.width, 'a panel is narrower than half the page').toBeLessThan(640);

  await screenshot(page, 'monitor', testInfo);
});

test('hydrated, a chart reads out the values at the pointer and by keyboard', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'the readout needs JavaScript');
  await signInAndOpen(page, 'viewer', '/monitor', javaScriptEnabled);
  await expect(page.locator('[data-live="true"]')).toBeVisible();
  const panel = page.locator('section[aria-labelledby="panel-connections"]');
  const readout = panel.locator('.readout-text');
  await expect(readout).toHaveText('');
  const slider = panel.getByRole('slider', { name: 'Connections: the last 15 minutes: values at a time (arrow keys)' });
  const box = await slider.boundingBox();
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
  await expect(readout).toHaveText(/^At \d\d:\d\d:\d\d UTC: available \d+, current \d+$/);
  await expect(panel.locator('svg line.cursor')).toHaveCount(1);
  await page.mouse.move(0, 0);
  await expect(readout).toHaveText('');
  await slider.focus();
  await page.keyboard.press('End');
  await expect(readout).toHaveText(/current \d+/);
  await expect(slider).toHaveAttribute('aria-valuetext', /UTC$/);
  // The next sample draws the chart again: the keyboard stays on it, and
  // so does the time it chose.
  const drawn = await slider.getAttribute('aria-valuemax');
  await expect(slider).not.toHaveAttribute('aria-valuemax', drawn, { timeout: 15_000 });
  await expect(slider).toBeFocused();
  await expect(slider).toHaveAttribute('aria-valuetext', /UTC$/);
  await page.keyboard.press('Escape');
  await expect(readout).toHaveText('');
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
