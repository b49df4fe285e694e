// Signing in as each role: what each is offered, and that the server
// refuses what the page does not offer. Runs hydrated and with JavaScript off.
import { test, expect } from '@playwright/test';
import { signIn, visit } from '../helpers/session.mjs';

// Without JavaScript the form posts itself and comes back to /login with
// the error in the address, where the page shows it (post/redirect/get).
test('a wrong password is refused without saying whether the user exists', async ({ page, javaScriptEnabled }) => {
  await visit(page, '/login', javaScriptEnabled);
  await page.getByLabel('User name').fill('nobody');
  await page.getByLabel('Password').fill('not-a-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Wrong user name or password');
  await page.screenshot({ path: `artifacts/login-refused-${javaScriptEnabled ? 'hydrated' : 'no-js'}.png` });
});

test('an admin manages users and sees the audit trail of it', async ({ page, javaScriptEnabled }) => {
  await signIn(page, 'admin', javaScriptEnabled);
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await nav.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'viewer' })).toBeVisible();

  const name = `rm-${javaScriptEnabled ? 'js' : 'nojs'}-${Date.now() % 100000}`;
  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('User name').fill(name);
  await form.getByLabel('Role').selectOption('release_manager');
  await form.getByLabel('Password (12 characters or more)').fill('a-long-password-1');
  await form.getByRole('button', { name: 'Add user' }).click();
  if (!javaScriptEnabled) {
    await visit(page, '/users', javaScriptEnabled);
  }
  await expect(page.getByRole('rowheader', { name })).toBeVisible();

  await visit(page, `/audit?actor=admin&action=user.create`, javaScriptEnabled);
  await expect(page.getByRole('cell', { name, exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('a viewer is offered no management and a forced request is refused', async ({ page, javaScriptEnabled }) => {
  await signIn(page, 'viewer', javaScriptEnabled);
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await visit(page, '/users', javaScriptEnabled);
  await expect(page.getByRole('alert')).toContainText('needs the Admin role');
  await expect(page.getByRole('button', { name: 'Add user' })).toHaveCount(0);

  // The same request the admin's form sends, forced with the viewer's cookie.
  const response = await page.request.post('/api/create_user', {
    form: { username: 'intruder', role: 'admin', password: 'a-long-password-1' },
  });
  expect(response.status()).toBe(403);

  await visit(page, '/audit?actor=viewer&action=user.create', javaScriptEnabled);
  await expect(page.getByRole('cell', { name: 'FORBIDDEN' }).first()).toBeVisible();
});

test('a release manager reads the audit log but cannot manage users', async ({ page, javaScriptEnabled }) => {
  await signIn(page, 'release', javaScriptEnabled);
  await visit(page, '/audit?actor=release', javaScriptEnabled);
  await expect(page.getByRole('cell', { name: 'login' }).first()).toBeVisible();
  const csv = page.getByRole('link', { name: 'Download CSV' });
  await expect(csv).toHaveAttribute('href', '/audit.csv?actor=release&action=');
  const response = await page.request.get('/audit.csv?actor=release&action=');
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain('at,actor,action,target,outcome,error_code,detail');
  const forced = await page.request.post('/api/list_users', { form: {} });
  expect(forced.status()).toBe(403);
});

test('with four-eyes on, switching it off needs a second admin, and it is audited', async ({ page, javaScriptEnabled }) => {
  const second = `admin-${javaScriptEnabled ? 'js' : 'nojs'}`;
  const secondAccount = { password: 'a-long-password-2', role: 'Admin' };
  const reload = async (path) => {
    if (!javaScriptEnabled) {
      await visit(page, path, javaScriptEnabled);
    }
  };
  await signIn(page, 'admin', javaScriptEnabled);
  // A second admin, made while four-eyes is still off.
  await visit(page, '/users', javaScriptEnabled);
  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('User name').fill(second);
  await form.getByLabel('Role').selectOption('admin');
  await form.getByLabel('Password (12 characters or more)').fill(secondAccount.password);
  await form.getByRole('button', { name: 'Add user' }).click();
  await reload('/users');
  await expect(page.getByRole('rowheader', { name: second })).toBeVisible();

  await visit(page, '/settings', javaScriptEnabled);
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await expect(page.getByText('Nothing is waiting.')).toBeVisible();
  await page.getByRole('button', { name: 'Turn four-eyes on' }).click();
  await reload('/settings');
  // Alone, the admin cannot switch it off: the request waits, saying what it does.
  await page.getByRole('button', { name: 'Turn four-eyes off' }).click();
  await reload('/settings');
  const request = page.getByRole('article', { name: 'settings.four_eyes_off of four-eyes' });
  await expect(request).toContainText('switch four-eyes off');
  await expect(page.getByText('Four-eyes is on.')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await signIn(page, second, javaScriptEnabled, secondAccount);
  await visit(page, '/settings', javaScriptEnabled);
  await request.getByRole('button', { name: 'Approve' }).click();
  await reload('/settings');
  await expect(request).toContainText(`approved by ${second}`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await signIn(page, 'admin', javaScriptEnabled);
  await visit(page, '/settings', javaScriptEnabled);
  await page.getByRole('button', { name: 'Turn four-eyes off' }).click();
  await reload('/settings');
  await expect(page.getByRole('button', { name: 'Turn four-eyes on' })).toBeVisible();
  await visit(page, '/audit?action=settings.four_eyes', javaScriptEnabled);
  await expect(page.getByRole('cell', { name: 'on', exact: true }).first()).toBeVisible();
  await expect(page.getByRole('cell', { name: 'off', exact: true }).first()).toBeVisible();
});
