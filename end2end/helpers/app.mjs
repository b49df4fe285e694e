// A second app of the specs' own, on a messy embedded database of its own
// under target/, started before a spec file's tests and stopped (SIGTERM,
// so its database server stops too) after them.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { DEMO_PASSWORD } from './session.mjs';

// The port of a spec's own app: the main one's plus `offset`.
export function portOf(offset) {
  return Number(process.env.E2E_PORT ?? 3157) + offset;
}

// Starts `target/debug/forest-runbook serve` on `port` with its data under
// target/e2e-<name>, messy demo data and `env` on top; waits for /api/health.
export async function startApp(name, port, env = {}) {
  const base = `http://127.0.0.1:${port}`;
  const data = `target/e2e-${name}`;
  rmSync(`../${data}`, { recursive: true, force: true });
  const app = spawn('target/debug/forest-runbook', ['serve'], {
    cwd: '..',
    stdio: 'ignore',
    env: {
      ...process.env,
      FOREST_SERVER__ADDRESS: `127.0.0.1:${port}`,
      FOREST_DATABASE__DATA_DIR: `${data}/db`,
      FOREST_PATHS__LOGS_DIR: `${data}/logs`,
      FOREST_PATHS__BACKUPS_DIR: `${data}/backups`,
      FOREST_DATABASE__DEMO_MESSY: 'true',
      FOREST_DATABASE__DEMO_PASSWORD: DEMO_PASSWORD,
      FOREST_FOREST_API__BASE_URLS: base,
      MONGODB_URI: '',
      DATABASE_URL: '',
      ...env,
    },
  });
  for (let tries = 0; tries < 200; tries += 1) {
    const up = await fetch(`${base}/api/health`).then((r) => r.ok, () => false);
    if (up) return app;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  app.kill('SIGTERM');
  throw new Error(`the app ${name} did not start`);
}

// Stops an app `startApp` started and waits for it to exit.
export async function stopApp(app) {
  if (!app || app.exitCode !== null) return;
  const stopped = new Promise((resolve) => app.once('exit', resolve));
  app.kill('SIGTERM');
  await stopped;
}
