// A stand-in webhook receiver on loopback, which playwright.config.mjs
// names in the app's [notify] webhooks: E2E_WEBHOOK_PORT, or the app's
// port plus 1000 (runs side by side take neighbouring app ports).
import http from 'node:http';

export const WEBHOOK_PORT = Number(
  process.env.E2E_WEBHOOK_PORT ?? Number(process.env.E2E_PORT ?? 3157) + 1000,
);

// Starts the receiver; `bodies` collects each JSON body it is sent.
export async function startReceiver() {
  const bodies = [];
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      bodies.push(JSON.parse(text));
      response.writeHead(200).end();
    });
  });
  await new Promise((resolve) => server.listen(WEBHOOK_PORT, '127.0.0.1', resolve));
  const close = () =>
    new Promise((resolve) => {
      server.close(resolve);
      // The app keeps its connection open for the next notice.
      server.closeAllConnections();
    });
  return { bodies, close };
}
