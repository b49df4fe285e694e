// Runs every spec twice: hydrated, and with JavaScript off. The app is
// started on a fresh embedded database under target/e2e and stopped with
// SIGTERM at the end, so its database server stops too.
import { defineConfig } from '@playwright/test';
import { DEMO_PASSWORD } from './helpers/session.mjs';
import { WEBHOOK_PORT } from './helpers/webhook.mjs';

const port = Number(process.env.E2E_PORT ?? 3157);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'hydrated', use: { javaScriptEnabled: true } },
    { name: 'no-js', use: { javaScriptEnabled: false } },
  ],
  webServer: {
    command: 'rm -rf target/e2e && exec target/debug/forest-runbook serve',
    cwd: '..',
    url: `${baseURL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    env: {
      FOREST_SERVER__ADDRESS: `127.0.0.1:${port}`,
      FOREST_DATABASE__DATA_DIR: 'target/e2e/db',
      FOREST_PATHS__LOGS_DIR: 'target/e2e/logs',
      FOREST_PATHS__BACKUPS_DIR: 'target/e2e/backups',
      // Clean demo data, so that the migration can run in the browser;
      // refusals on messy data are covered by the integration tests.
      FOREST_DATABASE__DEMO_MESSY: 'false',
      // Known demo passwords, and admins who may approve four-eyes requests
      // at once: both for tests only (a real start prints random passwords
      // and makes a new admin wait 24 hours before approving).
      FOREST_DATABASE__DEMO_PASSWORD: DEMO_PASSWORD,
      FOREST_AUTH__APPROVER_WAIT_HOURS: '0',
      // The Forest API page: the app probes its own /api/health (the same
      // envelope as the Forest API's) and watches a log folder the spec
      // writes; the Prisma page reads the schema.prisma its spec writes, both
      // under this checkout.
      FOREST_FOREST_API__BASE_URLS: baseURL,
      FOREST_FOREST__CHECKOUT: 'target/e2e/forest',
      // Every notice goes to the stand-in webhook that the notifications
      // spec listens with (helpers/webhook.mjs); one attempt each, so that
      // notices sent while no spec listens do not hold up later ones.
      FOREST_NOTIFY__WEBHOOKS: `json http://127.0.0.1:${WEBHOOK_PORT}/hook`,
      FOREST_NOTIFY__MAX_ATTEMPTS: '1',
      MONGODB_URI: '',
      DATABASE_URL: '',
    },
  },
});
