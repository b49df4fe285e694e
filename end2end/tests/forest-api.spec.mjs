// The Forest API page: the log rates move while the spec appends lines to
// the watched folder (live in a hydrated page, on reload without
// JavaScript); a release manager probes the API on demand; a viewer cannot.
import { test, expect } from '@playwright/test';
import { lineStyle } from '../helpers/looks.mjs';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { signIn, visit } from '../helpers/session.mjs';

// FOREST_FOREST__CHECKOUT in playwright.config.mjs, plus the default folder.
const LOGS = fileURLToPath(new URL('../../target/e2e/forest/apps/server/logs/', import.meta.url));

async function open(page, name, javaScriptEnabled) {
  await signIn(page, name, javaScriptEnabled);
  await visit(page, '/forest-api', javaScriptEnabled);
  await expect(page.getByRole('heading', { level: 1, name: 'Forest API' })).toBeVisible();
}

function append(lines) {
  mkdirSync(LOGS, { recursive: true });
  appendFileSync(`${LOGS}app.log`, lines.map((l) => `${l}\n`).join(''));
}

const pino = (level, msg, extra = {}) => JSON.stringify({ level, time: Date.now(), pid: 7, msg, ...extra });

// The figure `id` as a number: read live when hydrated, after a reload without JavaScript.
async function figure(page, id, javaScriptEnabled) {
  if (!javaScriptEnabled) {
    await page.reload();
  }
  const cell = page.getByTestId(id);
  if ((await cell.count()) === 0) {
    return null;
  }
  return Number(await cell.textContent());
}

test('before the log folder exists, the panels say how to configure it', async ({ page, javaScriptEnabled }) => {
  test.skip(existsSync(LOGS), 'an earlier test has created the folder on this server');
  await open(page, 'viewer', javaScriptEnabled);
  const notes = page.getByTestId('logs-not-configured');
  await expect(notes.first()).toContainText('does not exist (yet)');
  await expect(notes.first()).toContainText('FOREST_FOREST__CHECKOUT');
  await expect(page.getByTestId('errors-total')).toHaveCount(0);
});

test('the sync and error rates move while the Forest server writes its log', async ({ page, javaScriptEnabled }) => {
  append([pino(30, 'server started')]);
  await open(page, 'viewer', javaScriptEnabled);
  await expect.poll(() => figure(page, 'synced-total', javaScriptEnabled), { timeout: 15_000 }).not.toBeNull();
  const synced = await figure(page, 'synced-total', javaScriptEnabled);
  const errors = await figure(page, 'errors-total', javaScriptEnabled);
  const tasks = await figure(page, 'synced-tasks-total', javaScriptEnabled);

  const marker = `e2e-${javaScriptEnabled ? 'live' : 'plain'}-${Date.now()}`;
  append([
    pino(30, 'Tasks synced', { count: 4 }),
    JSON.stringify({ level: 'info', message: 'Tasks synced: 6', timestamp: new Date().toISOString() }),
    `${new Date().toISOString()} INFO Tasks synced`,
    pino(50, `Failed to sync ${marker}`),
    `${new Date().toISOString()} ERROR cannot reach MongoDB`,
  ]);
  await expect.poll(() => figure(page, 'synced-total', javaScriptEnabled), { timeout: 15_000 }).toBe(synced + 3);
  expect(await figure(page, 'errors-total', javaScriptEnabled)).toBe(errors + 2);
  expect(await figure(page, 'synced-tasks-total', javaScriptEnabled)).toBe(tasks + 10);
  await expect(page.getByRole('table', { name: 'Error lines' })).toContainText(marker);
  await expect(page.getByRole('img', { name: /Lines per minute/ })).toBeVisible();

  await page.getByLabel('Containing').fill(marker);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(new RegExp(`errors=${marker}`));
  const rows = page.getByRole('table', { name: 'Error lines' }).getByRole('row');
  await expect(rows).toHaveCount(2); // the header and the one matching line
  await expect(rows.nth(1)).toContainText(marker);
});

// Prisma's metrics as `await prisma.$metrics.json()` returns them.
function prismaMetrics({ open, busy, idle, waiting }) {
  const gauge = (key, value) => ({ key, labels: {}, value, description: key });
  return {
    counters: [gauge('prisma_client_queries_total', 1200)],
    gauges: [
      gauge('prisma_client_queries_wait', waiting),
      gauge('prisma_pool_connections_busy', busy),
      gauge('prisma_pool_connections_idle', idle),
      gauge('prisma_pool_connections_open', open),
    ],
    histograms: [],
  };
}

test('the Prisma pool panel says how to enable it, then shows what the Forest server logged', async ({ page, javaScriptEnabled }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await open(page, 'viewer', javaScriptEnabled);
  const panel = page.locator('section[aria-labelledby="pool-heading"]');
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText("The Forest server's Prisma pool");
  const busyFigure = page.getByTestId('pool-busy');
  if ((await busyFigure.count()) === 0) {
    const how = panel.getByTestId('pool-not-seen');
    await expect(how).toContainText('await prisma.$metrics.json()');
    await expect(how).toContainText('previewFeatures');
    await expect(how).toContainText('FOREST_FOREST_LOGS__POOL_PATTERN');
  }

  const figures = javaScriptEnabled
    ? { open: 12, busy: 7, idle: 5, waiting: 3 }
    : { open: 15, busy: 11, idle: 4, waiting: 0 };
  const written = Date.now();
  append([pino(30, 'prisma metrics', { time: written, metrics: prismaMetrics(figures) })]);
  await expect.poll(() => figure(page, 'pool-busy', javaScriptEnabled), { timeout: 15_000 }).toBe(figures.busy);
  for (const [id, value] of [['pool-open', figures.open], ['pool-idle', figures.idle], ['pool-waiting', figures.waiting]]) {
    await expect(page.getByTestId(id)).toHaveText(String(value));
  }
  await expect(page.getByTestId('pool-read-at')).toContainText(new Date(written).toISOString().slice(0, 19));

  const chart = panel.getByRole('img', { name: /Prisma pool connections busy per minute/ });
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAccessibleName(new RegExp(`the highest is ${Math.max(figures.busy, 7)}$`));
  const line = chart.locator('polyline').first();
  const drawn = await lineStyle(line);
  expect(drawn.fill, 'a chart line is not filled').toBe('none');
  expect(drawn.stroke, 'a chart line has a colour').not.toMatch(/^(none|rgb\(0, 0, 0\))$/);
  expect(drawn.width).toBeGreaterThan(0);
  const frame = panel.locator('.chart-frame');
  await expect(frame.locator('.y-axis span').last()).toHaveText('0');
  await expect(frame.locator('.y-axis span').first()).toHaveText(/^\d+$/);
  await expect(frame.locator('.x-axis span')).toHaveCount(3);
  await expect(frame.locator('.x-axis span').last()).toHaveText(/^\d\d:\d\d UTC$/);
  const legend = panel.locator('figcaption .key').first();
  await expect(legend).toHaveText('Busy connections');
  expect(await legend.evaluate((el) => getComputedStyle(el).color), 'the legend has the line colour').toBe(drawn.stroke);
  await page.screenshot({ path: `artifacts/forest-api-${testInfo.project.name}.png`, fullPage: true });
});

test('a release manager probes the Forest API now and sees why it passed', async ({ page, javaScriptEnabled }) => {
  await open(page, 'release', javaScriptEnabled);
  await page.getByRole('button', { name: 'Probe now' }).click();
  const results = page.getByRole('table', { name: 'Probe results' });
  await expect(results.getByRole('row').nth(1)).toContainText('/api/health');
  await expect(results.getByRole('row').nth(1)).toContainText('healthy');
  await expect(results.getByRole('row').nth(1).getByRole('cell', { name: 'pass', exact: true })).toBeVisible();
});

test('a viewer sees the probe results but cannot probe', async ({ page, javaScriptEnabled }) => {
  await open(page, 'viewer', javaScriptEnabled);
  await expect(page.getByRole('table', { name: 'Probe results' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Probe now' })).toHaveCount(0);
  const forced = await page.request.post('/api/probe_now', { form: {} });
  expect(forced.status()).toBe(403);
});
