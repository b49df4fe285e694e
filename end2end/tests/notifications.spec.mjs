// The Settings page's notifications: an admin sees the webhook (scheme and
// host only), sends a test notification that a stand-in receiver gets, and
// finds its delivery listed. Runs hydrated and with JavaScript off.
import { test, expect } from '@playwright/test';
import { signIn, visit } from '../helpers/session.mjs';
import { WEBHOOK_PORT, startReceiver } from '../helpers/webhook.mjs';

test.use({ viewport: { width: 1280, height: 900 } });

let receiver;
test.beforeAll(async () => {
  receiver = await startReceiver();
});
test.afterAll(async () => {
  await receiver?.close();
});

test('an admin sends a test notification and sees it delivered', async ({ page, javaScriptEnabled, baseURL }, testInfo) => {
  await signIn(page, 'admin', javaScriptEnabled);
  await visit(page, '/settings', javaScriptEnabled);
  const panel = page.getByRole('region', { name: 'Notifications' });
  await expect(panel.getByTestId('notify-webhooks')).toHaveText(
    `Webhooks: json http://127.0.0.1:${WEBHOOK_PORT}/….`,
  );
  await expect(panel).not.toContainText('/hook');

  const sent = receiver.bodies.filter((b) => b.event === 'test').length;
  await panel.getByRole('button', { name: 'Send a test notification' }).click();
  await expect.poll(() => receiver.bodies.filter((b) => b.event === 'test').length).toBe(sent + 1);
  const body = receiver.bodies.filter((b) => b.event === 'test').at(-1);
  expect(body.actor).toBe('admin');
  expect(body.link).toBe(`${baseURL}/settings`);
  expect(body.message).toContain('test notification sent by admin');

  const row = panel.getByRole('row').filter({ hasText: 'test notification sent by admin' }).first();
  await expect(async () => {
    await visit(page, '/settings', javaScriptEnabled);
    await expect(row.getByRole('cell', { name: 'delivered', exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await page.screenshot({ path: `artifacts/settings-${testInfo.project.name}.png`, fullPage: true });

  await visit(page, '/audit?actor=admin&action=notify.test', javaScriptEnabled);
  await expect(page.getByRole('cell', { name: 'notify.test' }).first()).toBeVisible();
});

test('a viewer is not shown the webhooks', async ({ page, javaScriptEnabled }) => {
  await signIn(page, 'viewer', javaScriptEnabled);
  await visit(page, '/settings', javaScriptEnabled);
  await expect(page.getByRole('region', { name: 'Notifications' })).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText(`127.0.0.1:${WEBHOOK_PORT}`);
  const response = await page.request.post('/api/get_notifications');
  expect(response.status()).toBe(403);
});
