// Writing answers with writeHead/end, for both adapters (DESIGN §4: headers built once per content type,
// no res.json machinery on the hot path). Security headers for the content type (security-headers.ts)
// are part of each answer here, so the lean path needs no writeHead hook.
import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from './exchange.js';
import { securityHeadersFor } from './middleware/security-headers.js';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';

/**
 * Headers of an answer: the content type's security headers, then `extra` (which wins), then the length.
 * Header names are case-insensitive: a name in `extra` replaces ours whatever its case, so no answer
 * carries one header twice (Node would send both spellings).
 */
function headersOf(ex: Exchange, contentType: string, length: number, extra?: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const given = extra === undefined ? undefined : new Set(Object.keys(extra).map((k) => k.toLowerCase()));
  const out: OutgoingHttpHeaders = given?.has('content-type') ? {} : { 'Content-Type': contentType };
  for (const [name, value] of securityHeadersFor(contentType, ex.live.https)) {
    if (!ex.res.hasHeader(name) && !given?.has(name.toLowerCase())) out[name] = value;
  }
  if (extra !== undefined) {
    for (const k in extra) if (k.toLowerCase() !== 'content-length') out[k] = extra[k];
  }
  out['Content-Length'] = length;
  return out;
}

export function sendBody(ex: Exchange, status: number, contentType: string, body: string, extra?: OutgoingHttpHeaders): void {
  const res = ex.res;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, headersOf(ex, contentType, Buffer.byteLength(body), extra));
  res.end(body);
}

export function sendJson(ex: Exchange, status: number, value: unknown, extra?: OutgoingHttpHeaders): void {
  sendBody(ex, status, JSON_TYPE, JSON.stringify(value), extra);
}

export function sendEmpty(ex: Exchange, status: number, extra?: OutgoingHttpHeaders): void {
  const res = ex.res;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, extra);
  res.end();
}

/** A 302, with the short text body Express writes for clients that show it. */
export function redirect(ex: Exchange, location: string, extra?: OutgoingHttpHeaders): void {
  sendBody(ex, 302, 'text/plain; charset=utf-8', `Found. Redirecting to ${location}`, { ...extra, Location: location });
}
