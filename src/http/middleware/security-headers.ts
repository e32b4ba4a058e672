// Security headers (SPEC §11), decided when the response's headers go out, because only then is its
// content type known. JSON gets `X-Content-Type-Options: nosniff`. HTML also gets
// `Referrer-Policy: no-referrer`, `Cross-Origin-Resource-Policy: cross-origin` (the ACS page is embedded
// by the merchant's origin; under a COEP merchant page a stricter value would block the iframe),
// `Strict-Transport-Security` when server.publicUrl is https, and a locked-down CSP only when the route
// set none (the pages set their own, with a nonce; it is never overwritten). No X-Frame-Options: the
// ACS page must work inside an iframe, which the pages' CSP frame-ancestors governs.
// A header a route already set is left as it is.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../../config/index.js';

const HSTS = 'max-age=15552000';
const FALLBACK_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors *";

type HeaderList = readonly (readonly [string, string])[];

const JSON_HEADERS: HeaderList = [['X-Content-Type-Options', 'nosniff']];
const HTML_HEADERS: HeaderList = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Resource-Policy', 'cross-origin'],
  ['Content-Security-Policy', FALLBACK_CSP],
];
const HTML_HEADERS_HTTPS: HeaderList = [...HTML_HEADERS, ['Strict-Transport-Security', HSTS]];

export interface SecurityHeadersOptions {
  config: () => Config;
}

/** Content-Type and header names given to writeHead itself (object form), lower-cased. */
function writeHeadHeaders(args: unknown[]): Record<string, unknown> | undefined {
  if (args.length < 2) return undefined;
  const h = (typeof args[1] === 'string' ? args[2] : args[1]) as OutgoingHttpHeaders | unknown[] | undefined;
  if (!h || typeof h !== 'object' || Array.isArray(h)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/** The security headers of a content type (none for types other than JSON and HTML). */
export function securityHeadersFor(contentType: unknown, https: boolean): HeaderList {
  return listFor(contentType, https) ?? NONE;
}

const NONE: HeaderList = [];

function listFor(contentType: unknown, https: boolean): HeaderList | undefined {
  if (typeof contentType !== 'string') return undefined;
  const semi = contentType.indexOf(';');
  const mime = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (mime === 'application/json' || mime.endsWith('+json')) return JSON_HEADERS;
  if (mime === 'text/html' || mime === 'application/xhtml+xml') return https ? HTML_HEADERS_HTTPS : HTML_HEADERS;
  return undefined;
}

function apply(res: ServerResponse, args: unknown[], https: boolean): void {
  const given = writeHeadHeaders(args);
  const list = listFor(res.getHeader('content-type') ?? given?.['content-type'], https);
  if (list === undefined) return;
  for (const [name, value] of list) {
    if (!res.hasHeader(name) && !(given && name.toLowerCase() in given)) res.setHeader(name, value);
  }
}

type WriteHead = (this: ServerResponse, ...args: unknown[]) => ServerResponse;

// Where the hook finds the live https flag of the app whose prototype carries it.
const HTTPS = Symbol('m3ds.securityHeaders.https');
type Hooked = { [HTTPS]?: () => boolean; writeHead: WriteHead };

/**
 * Hooks writeHead once on the app's own response prototype (Express's app.response, made for extending):
 * replacing it on each response measured ~5 µs per request (a closure, and a new object shape per
 * response). Node's implicit header write (res.end without writeHead) calls it too.
 */
function hookPrototype(proto: Hooked, https: () => boolean): void {
  if (!Object.hasOwn(proto, HTTPS)) {
    const inherited = proto.writeHead;
    Object.defineProperty(proto, 'writeHead', {
      configurable: true,
      writable: true,
      value: function securedWriteHead(this: ServerResponse & Hooked, ...args: unknown[]) {
        if (!this.headersSent) apply(this, args, (this[HTTPS] as () => boolean)());
        return inherited.apply(this, args);
      },
    });
  }
  proto[HTTPS] = https;
}

export function securityHeaders(opts: SecurityHeadersOptions) {
  let publicUrl: string | undefined;
  let tls = false;
  const https = () => {
    const url = opts.config().server.publicUrl;
    if (url !== publicUrl) {
      publicUrl = url;
      tls = url.toLowerCase().startsWith('https:');
    }
    return tls;
  };
  let hooked: object | undefined;
  return function securityHeadersMiddleware(_req: Request, res: Response, next: NextFunction): void {
    const proto = Object.getPrototypeOf(res) as Hooked;
    if (proto !== hooked) {
      // Express gives every response its app's own prototype (app.response); that is what gets the hook.
      hookPrototype(proto, https);
      hooked = proto;
    }
    next();
  };
}
