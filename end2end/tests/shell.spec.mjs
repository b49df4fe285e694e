// The app's shell: header, navigation to every section, and the live
// database status. Runs hydrated and with JavaScript off.
import { test, expect } from '@playwright/test';
import { signIn } from '../helpers/session.mjs';

const SECTIONS = ['Runbook', 'Backups', 'Checklist', 'Duplicates', 'Devices', 'Monitor', 'Prisma'];

async function open(page, path, javaScriptEnabled) {
  await page.goto(path);
  if (javaScriptEnabled) {
    await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  }
}

test('the overview shows the migration, the navigation and a connected database', async ({ page, javaScriptEnabled }) => {
  await open(page, '/', javaScriptEnabled);
  await expect(page.getByRole('heading', { level: 1, name: 'Phase 0: mobile sync' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Sections' });
  for (const name of SECTIONS) {
    await expect(nav.getByRole('link', { name })).toBeVisible();
  }
  const status = page.getByRole('status', { name: 'Database status' });
  await expect(status).toContainText('Database connected');
  await expect(status).toContainText(/migration (pending|applied|rolled_back)/);
});

test('every section is reached by clicking its link', async ({ page, javaScriptEnabled }) => {
  await open(page, '/', javaScriptEnabled);
  const nav = page.getByRole('navigation', { name: 'Sections' });
  for (const name of SECTIONS) {
    await nav.getByRole('link', { name }).click();
    await expect(page).toHaveURL(new RegExp(`/${name.toLowerCase()}$`));
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(nav.getByRole('link', { name })).toHaveAttribute('aria-current', 'page');
  }
});

test('the page, with its database status, is read again when something changes', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'live refresh needs JavaScript; the server renders the page once');
  await signIn(page, 'release', javaScriptEnabled);
  await open(page, '/monitor', javaScriptEnabled);
  const refresh = page.waitForRequest(
    (request) => request.resourceType() === 'fetch' && new URL(request.url()).pathname === '/monitor',
    { timeout: 15_000 },
  );
  // Any change the change stream announces: a probe of the Forest API.
  const probed = await page.request.post('/api/probe_now', { headers: { Origin: new URL(page.url()).origin } });
  expect(probed.ok()).toBe(true);
  expect((await refresh).method()).toBe('GET');
  await expect(page.getByRole('status', { name: 'Database status' })).toContainText('Database connected');
});

test('an unknown address answers 404 with a way back', async ({ page, javaScriptEnabled }) => {
  const response = await page.goto('/no-such-page');
  expect(response.status()).toBe(404);
  if (javaScriptEnabled) {
    await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  }
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the overview' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Phase 0: mobile sync' })).toBeVisible();
});

test('a signed-out page is live without asking for the change stream, which would refuse it', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'the change stream is opened by the page\'s script');
  const streams = [];
  page.on('request', (request) => {
    // Which page asked: the one shown when the request went out.
    if (new URL(request.url()).pathname === '/api/changes') streams.push(new URL(page.url()).pathname);
  });
  const errors = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await open(page, '/login', javaScriptEnabled);
  await signIn(page, 'viewer', javaScriptEnabled);
  await open(page, '/devices', javaScriptEnabled);
  await expect.poll(() => streams).toContain('/devices');
  expect(streams).not.toContain('/login');
  expect(errors).toEqual([]);
});
