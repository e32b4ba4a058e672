// A tiny shop on node:http (127.0.0.1, port 0) for the browser tests: the checkout page with the
// globalpayments-3ds bundle, the JSON backend the library calls, and the threeDSMethodNotificationURL
// and challenge notificationURL endpoints, which record what the ACS posted and hand it to the page.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { MerchantBackend } from './merchant-backend.js';
import { CHECKOUT_SCRIPT_PATH, checkoutPage, LIBRARY_PATH, notificationPage } from './merchant-pages.js';

type Json = Record<string, unknown>;

export const LIBRARY_FILE = path.resolve(import.meta.dirname, '../../node_modules/globalpayments-3ds/dist/globalpayments-3ds.js');
const CHECKOUT_SCRIPT_FILE = path.join(import.meta.dirname, 'checkout.js');

export interface MethodNotification {
  /** The decoded threeDSMethodData (base64url of {threeDSServerTransID}). */
  data: Json | undefined;
}

export interface ChallengeNotification {
  /** The decoded CRes. */
  cres: Json | undefined;
  /** The raw form field, to check its encoding. */
  rawCres: string;
  threeDSSessionData?: string;
}

export interface Merchant {
  readonly origin: string;
  readonly backend: MerchantBackend;
  readonly methodNotifications: MethodNotification[];
  readonly challengeNotifications: ChallengeNotification[];
  url(p: string): string;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function decodeJson(b64url: string | null): Json | undefined {
  if (!b64url) return undefined;
  try {
    return JSON.parse(Buffer.from(b64url, 'base64url').toString('utf8')) as Json;
  } catch {
    return undefined;
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

export async function startMerchant(mockBase: string): Promise<Merchant> {
  const library = readFileSync(LIBRARY_FILE, 'utf8');
  const backend = new MerchantBackend(mockBase);
  const methodNotifications: MethodNotification[] = [];
  const challengeNotifications: ChallengeNotification[] = [];

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://merchant.invalid');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /favicon.ico':
        res.writeHead(204).end();
        return;
      case 'GET /checkout':
        return send(res, 200, 'text/html; charset=utf-8', checkoutPage());
      case `GET ${LIBRARY_PATH}`:
        return send(res, 200, 'text/javascript; charset=utf-8', library);
      case `GET ${CHECKOUT_SCRIPT_PATH}`:
        // Read per request so an edited script needs no restart while debugging.
        return send(res, 200, 'text/javascript; charset=utf-8', readFileSync(CHECKOUT_SCRIPT_FILE, 'utf8'));
      case 'POST /api/check-version': {
        const a = await backend.checkVersion(JSON.parse(await readBody(req)));
        return send(res, a.status, 'application/json', JSON.stringify(a.body));
      }
      case 'POST /api/initiate-authentication': {
        const browser = { accept: req.headers.accept ?? 'text/html', ip: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1' };
        const a = await backend.initiateAuthentication(JSON.parse(await readBody(req)), browser);
        return send(res, a.status, 'application/json', JSON.stringify(a.body));
      }
      case 'POST /3ds/method-notification': {
        const form = new URLSearchParams(await readBody(req));
        const data = decodeJson(form.get('threeDSMethodData'));
        methodNotifications.push({ data });
        return send(res, 200, 'text/html; charset=utf-8', notificationPage('method', data ?? {}));
      }
      case 'POST /3ds/challenge-notification': {
        const form = new URLSearchParams(await readBody(req));
        const rawCres = form.get('cres') ?? '';
        const cres = decodeJson(rawCres);
        const session = form.get('threeDSSessionData');
        challengeNotifications.push({ cres, rawCres, ...(session !== null && { threeDSSessionData: session }) });
        return send(res, 200, 'text/html; charset=utf-8', notificationPage('challenge', cres ?? {}));
      }
      default:
        return send(res, 404, 'text/plain', 'not found');
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => send(res, 500, 'text/plain', err.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    backend,
    methodNotifications,
    challengeNotifications,
    url: (p) => `${origin}${p}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
