// The console's notification page (SPEC §17): where the ACS posts the final CRes (the notificationURL of
// a flow the console runs) and where the 3DS Method page reports back (its threeDSMethodNotificationURL).
// It runs inside the console's frame and hands what it received to the console (same origin only) with
// postMessage, from client/notify.ts; the fields travel as a JSON data block, escaped for <script>.
import { html, jsonForScript, SafeHtml } from '../html.js';
import { ASSETS_PATH } from './console-page.js';

/** The form fields the page passes on, each a string of bounded length. */
export const NOTIFY_FIELDS = ['cres', 'threeDSSessionData', 'threeDSMethodData', 'transStatus', 'threeDSServerTransID'] as const;
const MAX_FIELD = 16_384;

/** The fields of a posted form (or JSON body) the page passes on; anything else is dropped. */
export function notifyFields(body: unknown): Record<string, string> {
  const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const out: Record<string, string> = {};
  for (const name of NOTIFY_FIELDS) {
    const v = b[name];
    if (typeof v === 'string' && v.length <= MAX_FIELD) out[name] = v;
  }
  return out;
}

export function notifyPage(fields: Readonly<Record<string, string>>): string {
  const kind =
    fields.cres !== undefined || fields.transStatus !== undefined ? 'cres' : fields.threeDSMethodData !== undefined ? 'method' : 'other';
  const data = jsonForScript({ kind, fields });
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Result received</title>
<script type="module" src="${ASSETS_PATH}/notify.js"></script></head>
<body><p>Result received: the console shows it.</p>
<script type="application/json" id="m3ds-notify">${new SafeHtml(data)}</script></body></html>`.value;
}
