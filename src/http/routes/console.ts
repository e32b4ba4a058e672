// The QA console (SPEC §17): GET /console (the page), GET /console/assets/{file} (its script's
// modules, the notification page's script, its stylesheet) and POST /console/notify (the notificationURL and
// threeDSMethodNotificationURL of the flows the console runs, which hands the result to the page).
// Served exactly where the admin API is (development, or with a token configured; 404 otherwise); the
// page itself carries no data, so it needs no token: it asks for one and sends it to /__admin only.
// Strict CSP: scripts and styles from this origin only, no inline script or style, no other origin
// but the public base URL (where the ACS page and the 3DS Method, framed by the console, live).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Request, type Response, Router } from 'express';
import { publicBaseUrl } from '../../config/derived.js';
import { AppError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import { ASSETS_PATH, CONSOLE_PATH, consolePage, NOTIFY_PATH } from '../views/console/console-page.js';
import { CONSOLE_CSS } from '../views/console/console-styles.js';
import { notifyFields, notifyPage } from '../views/console/notify-page.js';
import { acceptedTokens } from './admin-auth.js';

const HTML = 'text/html; charset=utf-8';
const COMMON = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/**
 * The compiled browser scripts (client/*.ts → dist/http/views/console/client/*.js): the console page's
 * entry module console.js and the modules it imports, and the notification page's notify.js. An explicit
 * list: nothing else in that folder is served.
 */
const CLIENT_DIR = new URL('../views/console/client/', import.meta.url);
const SCRIPTS = new Set([
  'console.js',
  'api.js',
  'app-flow.js',
  'browser-areq.js',
  'cards.js',
  'dom.js',
  'overrides.js',
  'runner.js',
  'state.js',
  'tabs.js',
  'transactions.js',
  'notify.js',
]);

const loaded = new Map<string, string | Error>();

/**
 * A compiled script, read once. Next to this module in dist/; when this module runs from src/ (the unit
 * tests, under tsx) the build's copy in dist/ is used.
 */
export function clientScript(name: string, dir: URL = CLIENT_DIR): string | Error {
  const file = fileURLToPath(new URL(name, dir));
  let s = loaded.get(file);
  if (s === undefined) {
    const candidates = [file, file.replace(/([\\/])src([\\/]http[\\/]views[\\/]console[\\/]client[\\/])/, '$1dist$2')];
    s = new Error(`the console script ${name} is not built (npm run build)`);
    for (const c of candidates) {
      try {
        s = readFileSync(c, 'utf8');
        break;
      } catch {
        // the next candidate
      }
    }
    loaded.set(file, s);
  }
  return s;
}

/** The console exists where the admin API does: an admin surface and a token it accepts. */
export function consoleServed(deps: AppDeps): boolean {
  return deps.admin !== undefined && acceptedTokens(deps, true).length > 0;
}

function origin(url: string): string | undefined {
  try {
    const o = new URL(url).origin;
    return o === 'null' ? undefined : o;
  } catch {
    return undefined;
  }
}

/** The console page's CSP: `base` is where the ACS page and the 3DS Method run (server.publicUrl). */
export function consoleCsp(base: string): string {
  const pub = origin(base);
  const framed = pub ? `'self' ${pub}` : "'self'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    `frame-src ${framed}`,
    `form-action ${framed}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const NOTIFY_CSP = "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

export function consoleRoutes(deps: AppDeps): Router {
  const r = Router();
  const baseOf = (req: Request) => publicBaseUrl(deps.config(), req.socket.localPort);

  r.use(CONSOLE_PATH, (req, _res, next) => {
    if (consoleServed(deps)) return next();
    next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.originalUrl.slice(0, 200)}`));
  });

  r.get(CONSOLE_PATH, (req: Request, res: Response) => {
    const base = baseOf(req);
    res.set({
      ...COMMON,
      'Content-Type': HTML,
      'Content-Security-Policy': consoleCsp(base),
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    res.send(consolePage(base));
  });

  r.get(`${ASSETS_PATH}/:file`, (req: Request, res: Response, next) => {
    const name = req.params.file as string;
    let body: string | Error;
    let type: string;
    if (name === 'console.css') {
      body = CONSOLE_CSS;
      type = 'text/css; charset=utf-8';
    } else if (SCRIPTS.has(name)) {
      body = clientScript(name);
      type = 'text/javascript; charset=utf-8';
    } else {
      return next(new AppError('NOT_FOUND', `no console asset ${name.slice(0, 60)}`));
    }
    if (body instanceof Error) {
      deps.logger.warn('console asset missing', { asset: name, err: body.message });
      return next(new AppError('NOT_FOUND', body.message));
    }
    res.set({ ...COMMON, 'Content-Type': type });
    res.send(body);
  });

  // Where the ACS posts the final CRes, and the 3DS Method page its threeDSMethodData (form fields).
  r.post(NOTIFY_PATH, (req: Request, res: Response) => {
    res.set({ ...COMMON, 'Content-Type': HTML, 'Content-Security-Policy': NOTIFY_CSP, 'X-Frame-Options': 'SAMEORIGIN' });
    res.send(notifyPage(notifyFields(req.body)));
  });

  return r;
}
