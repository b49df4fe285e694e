// A stand-in webhook receiver on loopback, on the port after the app's,
// which playwright.config.mjs names in the app's [notify] webhooks.
import http from 'node:http';

export const WEBHOOK_PORT = Number(process.env.E2E_PORT ?? 3157) + 1;

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
  return { bodies, close: () => new Promise((resolve) => server.close(resolve)) };
}
