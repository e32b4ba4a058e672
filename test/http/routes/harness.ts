// An app over real sockets for the route tests: createApp(deps) with a protocol over the test store,
// listening on 127.0.0.1:0, plus small helpers to read the ACS pages' forms.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../../src/config/index.js';
import { type App, createApp } from '../../../src/http/app.js';
import { createProtocol, type Protocol } from '../../../src/protocol/protocol.js';
import type { TransactionRecord } from '../../../src/protocol/transaction/record.js';
import { type TestDeps, testDeps } from '../../helpers/app-deps.js';
import { type MutableConfig, testConfig } from '../../protocol/helpers.js';
import { MemoryStore } from '../../protocol/memory-store.js';

export interface AppHarness {
  deps: TestDeps;
  protocol: Protocol;
  store: MemoryStore<TransactionRecord>;
  /** http://127.0.0.1:<port> */
  base: string;
  port: number;
  /** The app under test (its releaseHeld is what a draining worker calls). */
  app: App;
  setConfig(edit: (c: MutableConfig) => void): Config;
  close(): Promise<void>;
}

export async function startApp(edit?: (c: MutableConfig) => void): Promise<AppHarness> {
  const deps = testDeps();
  deps.setConfig(testConfig(edit));
  const store = new MemoryStore<TransactionRecord>();
  const protocol = createProtocol({ config: () => deps.config(), store, logger: deps.logger, metrics: deps.metrics });
  deps.protocol = protocol;
  const app = createApp(deps);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    deps,
    protocol,
    store,
    base: `http://127.0.0.1:${port}`,
    port,
    app,
    setConfig(e) {
      const c = testConfig(e);
      deps.setConfig(c);
      return c;
    },
    async close() {
      await protocol.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface FormInfo {
  name: string | undefined;
  id: string | undefined;
  action: string;
  /** Named inputs and buttons with their values (hidden fields, submit values, button values). */
  fields: { tag: string; type: string | undefined; name: string | undefined; value: string | undefined }[];
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, '`')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescapeHtml(m[1] as string) : undefined;
}

/** The forms of a page, found by regex (the pages are ours and regular; a browser test covers the rest). */
export function formsOf(page: string): FormInfo[] {
  const out: FormInfo[] = [];
  for (const m of page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const open = m[1] as string;
    const inner = m[2] as string;
    const fields = [...inner.matchAll(/<(input|button)\b([^>]*)>/g)].map((f) => ({
      tag: f[1] as string,
      type: attr(f[2] as string, 'type'),
      name: attr(f[2] as string, 'name'),
      value: attr(f[2] as string, 'value'),
    }));
    out.push({ name: attr(open, 'name'), id: attr(open, 'id'), action: attr(open, 'action') ?? '', fields });
  }
  return out;
}

export function form(page: string, name: string): FormInfo {
  const f = formsOf(page).find((x) => x.name === name);
  if (!f) throw new Error(`no form named ${name} in page:\n${page.slice(0, 2000)}`);
  return f;
}

export function hiddenValue(f: FormInfo, name: string): string | undefined {
  return f.fields.find((x) => x.name === name && x.type === 'hidden')?.value;
}

/** The path of a form action on this server (the page uses the public base URL). */
export function pathOf(action: string): string {
  const u = new URL(action);
  return u.pathname + u.search;
}

/** A POST whose answer may never come (test card acs-no-answer): whether one came, and when the connection closed. */
export interface UnansweredPost {
  client: http.ClientRequest;
  /** Resolves when the client's connection has closed, answered or not. */
  closed: Promise<void>;
  answered(): boolean;
}

export function rawPost(port: number, path: string, contentType: string, body: string): UnansweredPost {
  const client = http.request({ port, host: '127.0.0.1', path, method: 'POST', agent: false, headers: { 'content-type': contentType } });
  let answered = false;
  client.on('response', (res) => {
    answered = true;
    res.resume();
  });
  // 'socket hang up' when the server closes without a response: what the test is about, not a failure.
  client.on('error', () => {});
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  client.end(body);
  return { client, closed, answered: () => answered };
}

/** Resolves once `lines` holds a line matching `pattern` (log lines of an in-process app arrive asynchronously). */
export async function logged(lines: readonly string[], pattern: RegExp): Promise<string> {
  for (;;) {
    const hit = lines.find((l) => pattern.test(l));
    if (hit !== undefined) return hit;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
