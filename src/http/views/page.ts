// The page shell and the headers every ACS page carries (SPEC §5): a per-response CSP nonce for the
// one style and script element, form-action limited to where the page posts, frame-ancestors open (the
// page runs in the merchant's iframe), no caching, no inline handlers anywhere.
import { randomBytes } from 'node:crypto';
import type { Exchange } from '../exchange.js';
import { HTML_TYPE, sendBody } from '../reply.js';
import { html, SafeHtml } from './html.js';

export interface Page {
  title: string;
  /** Extra class on <body> (e.g. the challenge window size). */
  bodyClass?: string;
  css: string;
  body: SafeHtml;
  /** Script text (trusted, ours); runs under the nonce. */
  script?: string;
  /** JSON data for the script, already serialized with jsonForScript. */
  data?: string;
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function renderPage(p: Page, nonce: string): string {
  const tail: SafeHtml[] = [];
  if (p.data !== undefined)
    tail.push(html`<script type="application/json" id="m3ds-data" nonce="${nonce}">${new SafeHtml(p.data)}</script>`);
  if (p.script !== undefined) tail.push(html`<script nonce="${nonce}">${new SafeHtml(p.script)}</script>`);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${p.title}</title>
<style nonce="${nonce}">${new SafeHtml(p.css)}</style></head>
<body class="${p.bodyClass ?? ''}">${p.body}${tail}</body></html>`.value;
}

/** Origins for CSP form-action, from absolute URLs. */
export function originsOf(urls: readonly string[]): string[] {
  const out = new Set<string>();
  for (const u of urls) {
    try {
      const o = new URL(u).origin;
      if (o !== 'null') out.add(o);
    } catch {
      // not a URL: nothing to allow
    }
  }
  return [...out];
}

export function sendPage(ex: Exchange, p: Page, formOrigins: readonly string[], status = 200): void {
  const nonce = newNonce();
  const formAction = formOrigins.length > 0 ? formOrigins.join(' ') : "'none'";
  sendBody(ex, status, HTML_TYPE, renderPage(p, nonce), {
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src data:; form-action ${formAction}; frame-ancestors *; base-uri 'none'`,
    'Cache-Control': 'no-store',
  });
}
