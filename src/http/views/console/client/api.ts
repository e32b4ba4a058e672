// The QA console's calls to the server (SPEC §17): the admin token (kept in sessionStorage, sent as a
// Bearer token to /__admin only), the admin API, and the 3DS Server API called the way a merchant's
// backend calls it (no token).
import { type Json, state } from './state.js';

const TOKEN_KEY = 'm3ds-console-token';

/** What an error answer says, in one line. */
export function errorText(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Json;
    const d = (b.errorDetails ?? {}) as Json;
    const parts = [b.error, d.errorCode && `errorCode ${String(d.errorCode)}`].filter((x) => typeof x === 'string' && x !== '');
    if (parts.length > 0) return parts.join(' · ');
  }
  return typeof body === 'string' ? body.slice(0, 200) : 'no details';
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}: ${errorText(body)}`);
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';

export function keepToken(given: string): void {
  sessionStorage.setItem(TOKEN_KEY, given);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** What a refused token does (the sign-in sends the tester back to the token form), set by the page. */
let refused: ((message: string) => void) | undefined;

export function onTokenRefused(fn: (message: string) => void): void {
  refused = fn;
}

/** A call of the admin API with the token; a 401 sends the tester back to the token form. */
export async function admin(method: string, path: string, body?: unknown, given = token()): Promise<unknown> {
  const headers: Record<string, string> = { authorization: `Bearer ${given}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, cache: 'no-store', ...(body !== undefined && { body: JSON.stringify(body) }) });
  const out = await readBody(res);
  if (res.status === 401 && given === token() && state.signedIn) refused?.('The server refused the token (401): enter it again.');
  if (!res.ok) throw new HttpError(res.status, out);
  return out;
}

/** A call of the 3DS Server API, as a merchant's backend makes it (no token). */
export async function flow(path: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; body: Json }> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    cache: 'no-store',
    ...(signal && { signal }),
  });
  const out = await readBody(res);
  return { status: res.status, body: out && typeof out === 'object' ? (out as Json) : { text: out } };
}
