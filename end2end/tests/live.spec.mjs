// Live pages: what one person changes shows on another person's open
// Checklist and Home without a reload, from the server's change events.
// Hydrated only: without JavaScript a page is rendered once, and a reload
// shows the change (checklist.spec).
import { test, expect } from '@playwright/test';
import { signIn, visit } from '../helpers/session.mjs';

const TITLE = 'Monitor error logs during deployment';

test('a tick in one browser shows in another browser\'s Checklist and Home without a reload', async ({ browser, page, javaScriptEnabled }, testInfo) => {
  test.skip(!javaScriptEnabled, 'Without JavaScript a page is rendered once; a reload shows the change.');
  await signIn(page, 'release', true);
  await visit(page, '/checklist', true);
  const mine = page.getByRole('listitem', { name: TITLE });

  const viewerContext = await browser.newContext({ baseURL: new URL(page.url()).origin, javaScriptEnabled: true });
  const checklist = await viewerContext.newPage();
  await signIn(checklist, 'viewer', true);
  await visit(checklist, '/checklist', true);
  const home = await viewerContext.newPage();
  await visit(home, '/', true);
  const readAt = home.getByText(/^Read at /);
  await expect(readAt).toBeVisible();
  // Set on each window: a reload would lose it.
  for (const watcher of [checklist, home]) {
    await watcher.evaluate(() => { window.notReloaded = true; });
  }
  const theirs = checklist.getByRole('listitem', { name: TITLE });

  // Whatever state an earlier spec left the item in: toggle it, see it
  // change over there, toggle it back, see that too.
  const wasTicked = (await mine.getByRole('button', { name: `Untick ${TITLE}` }).count()) > 0;
  for (const ticked of [!wasTicked, wasTicked]) {
    const homeBefore = await readAt.textContent();
    await mine.getByRole('button', { name: `${ticked ? 'Tick' : 'Untick'} ${TITLE}` }).click();
    if (ticked) {
      await expect(theirs).toContainText('Ticked by release', { timeout: 10_000 });
    } else {
      await expect(theirs).not.toContainText('Ticked by', { timeout: 10_000 });
    }
    await expect(readAt).not.toHaveText(homeBefore, { timeout: 10_000 });
    if (ticked) {
      await checklist.screenshot({ path: `artifacts/live-checklist-${testInfo.project.name}.png`, fullPage: true });
    }
  }
  for (const watcher of [checklist, home]) {
    expect(await watcher.evaluate(() => window.notReloaded)).toBe(true);
  }
  await viewerContext.close();
});

test('a backup taken in one browser runs to done and is listed in another browser\'s Backups page without a reload', async ({ browser, page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'Without JavaScript a page is rendered once; a reload shows the change.');
  await signIn(page, 'release', true);
  await visit(page, '/backups', true);

  const viewerContext = await browser.newContext({ baseURL: new URL(page.url()).origin, javaScriptEnabled: true });
  const watcher = await viewerContext.newPage();
  await signIn(watcher, 'viewer', true);
  await visit(watcher, '/backups', true);
  await watcher.evaluate(() => { window.notReloaded = true; });
  // The listing as it first stands: a table, or no backup yet.
  const table = watcher.getByRole('table', { name: 'Backups' });
  await expect(table.or(watcher.getByText('No backups yet.'))).toBeVisible();
  const rows = table.locator('tbody tr');
  const listed = await rows.count();

  await page.getByRole('button', { name: 'Take a backup' }).click();
  await expect(page.getByTestId('job-state')).toHaveText('done');
  // The job's progress (the job area) and the new backup (the backups
  // area) reach the viewer from the change stream.
  await expect(watcher.getByTestId('job-state')).toHaveText('done', { timeout: 10_000 });
  const bar = watcher.getByRole('progressbar', { name: 'Backup progress' });
  await expect(bar).toHaveAttribute('value', '100');
  // The bar reads as progress across the page: as wide as the table of
  // the job's collections under it.
  const barWidth = (await bar.boundingBox()).width;
  const tableWidth = (await watcher.getByRole('table', { name: 'Backup by collection' }).boundingBox()).width;
  expect(Math.abs(barWidth - tableWidth)).toBeLessThan(2);
  await expect(rows).toHaveCount(listed + 1, { timeout: 10_000 });
  expect(await watcher.evaluate(() => window.notReloaded)).toBe(true);
  await viewerContext.close();
});

test('a page read again keeps what a person is typing, and where', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'Without JavaScript a page is rendered once; a reload shows the change.');
  await signIn(page, 'release', true);
  await visit(page, '/forest-api', true);
  await page.evaluate(() => { window.notReloaded = true; });
  const results = page.getByRole('table', { name: 'Probe results' });
  const before = await results.innerText();
  const filter = page.getByLabel('Containing');
  await filter.pressSequentially('timeo');

  // Any change the change stream announces: a probe of the Forest API.
  const probed = await page.request.post('/api/probe_now', { headers: { Origin: new URL(page.url()).origin } });
  expect(probed.ok()).toBe(true);
  await expect.poll(() => results.innerText(), { timeout: 10_000 }).not.toBe(before);

  await expect(filter).toHaveValue('timeo');
  await expect(filter).toBeFocused();
  await page.keyboard.type('ut');
  await expect(filter).toHaveValue('timeout');
  expect(await page.evaluate(() => window.notReloaded)).toBe(true);
});

test('after a form posts, the page comes back where the person was, not at its top', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'Without JavaScript the browser shows the page from its top.');
  await page.setViewportSize({ width: 1280, height: 500 });
  await signIn(page, 'release', true);
  await visit(page, '/checklist', true);
  const item = page.getByRole('listitem', { name: TITLE });
  const wasTicked = (await item.getByRole('button', { name: `Untick ${TITLE}` }).count()) > 0;
  for (const ticked of [!wasTicked, wasTicked]) {
    const button = item.getByRole('button', { name: `${ticked ? 'Tick' : 'Untick'} ${TITLE}` });
    await button.scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    await button.click();
    await expect(item.getByRole('button', { name: `${ticked ? 'Untick' : 'Tick'} ${TITLE}` })).toBeInViewport();
  }
  // A page reached otherwise starts at its top.
  await visit(page, '/checklist', true);
  await expect(page.getByRole('heading', { level: 1, name: 'Checklist' })).toBeInViewport();
});
