// The QA console in the browser (SPEC §17): asks for the admin token (kept in sessionStorage, sent as a
// Bearer token to /__admin only), then shows the live list of transactions (polled every 2 s), the
// timeline of one, the test-card table whose buttons run a card's browser flow with this page playing
// the merchant, the app-flow runner, and the overrides editor. DOM calls and textContent only: nothing
// from the server is ever parsed as HTML.

type Json = Record<string, unknown>;

interface CardRow {
  key: string;
  name?: string;
  cardNumber?: string;
  scenario: Json;
}

interface Summary {
  threeDSServerTransID: string;
  createdAt: string;
  updatedAt?: string;
  status?: string;
  stage?: string;
  flow?: string;
  api?: string;
  last4?: string;
  maskedPan?: string;
  scheme?: string;
  messageVersion?: string;
  scenario?: string;
}

const TOKEN_KEY = 'm3ds-console-token';
const POLL_MS = 2000;
const METHOD_WAIT_MS = 10_000;
const DECOUPLED_WAIT_MS = 30_000;
const NOTIFY_PATH = '/console/notify';
/** challengeWindowSize → the frame's width × height; 05 takes the width of its box. */
const WINDOW: Record<string, [number, number]> = { '01': [250, 400], '02': [390, 400], '03': [500, 600], '04': [600, 400] };

// ------------------------------------------------------------------ DOM helpers

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} is missing from the page`);
  return e as T;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  opts: { cls?: string; text?: string; attrs?: Record<string, string> } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (opts.cls) e.className = opts.cls;
  if (opts.text !== undefined) e.textContent = opts.text;
  for (const [k, v] of Object.entries(opts.attrs ?? {})) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function statusBadge(s: string | undefined): HTMLElement {
  const v = s ?? '–';
  return el('span', { cls: `st st-${/^[A-Z]$/.test(v) ? v : 'x'}`, text: v, attrs: { title: `transStatus ${v}` } });
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

function clock(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : `${d.toLocaleTimeString('en-GB', { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** What an error answer says, in one line. */
function errorText(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Json;
    const d = (b.errorDetails ?? {}) as Json;
    const parts = [b.error, d.errorCode && `errorCode ${String(d.errorCode)}`].filter((x) => typeof x === 'string' && x !== '');
    if (parts.length > 0) return parts.join(' · ');
  }
  return typeof body === 'string' ? body.slice(0, 200) : 'no details';
}

// ------------------------------------------------------------------ HTTP

class HttpError extends Error {
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

const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';

/** A call of the admin API with the token; a 401 sends the tester back to the token form. */
async function admin(method: string, path: string, body?: unknown, given = token()): Promise<unknown> {
  const headers: Record<string, string> = { authorization: `Bearer ${given}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, cache: 'no-store', ...(body !== undefined && { body: JSON.stringify(body) }) });
  const out = await readBody(res);
  if (res.status === 401 && given === token() && signedIn) signOut('The server refused the token (401): enter it again.');
  if (!res.ok) throw new HttpError(res.status, out);
  return out;
}

/** A call of the 3DS Server API, as a merchant's backend makes it (no token). */
async function flow(path: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; body: Json }> {
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

// ------------------------------------------------------------------ sign in, tabs

let signedIn = false;
let scenarios: CardRow[] = [];
let pollTimer: number | undefined;

async function signIn(given: string): Promise<void> {
  const err = byId('login-error');
  err.textContent = '';
  try {
    const out = (await admin('GET', '/__admin/scenarios', undefined, given)) as { scenarios: CardRow[] };
    sessionStorage.setItem(TOKEN_KEY, given);
    scenarios = out.scenarios;
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    const status = e instanceof HttpError ? e.status : 0;
    err.textContent =
      status === 401
        ? 'That token is not accepted.'
        : status === 404
          ? 'This server serves no admin API (production without a token).'
          : `The admin API did not answer: ${(e as Error).message}`;
    byId('login').hidden = false;
    byId('app').hidden = true;
    return;
  }
  signedIn = true;
  byId('login').hidden = true;
  byId('app').hidden = false;
  byId('who').hidden = false;
  byId('who-name').textContent = 'Token accepted';
  renderCards();
  renderScenarioChoices();
  await Promise.all([refreshList(), refreshOverrides()]);
  schedulePoll();
  byId('tab-transactions').focus();
}

function signOut(message = ''): void {
  signedIn = false;
  sessionStorage.removeItem(TOKEN_KEY);
  if (pollTimer !== undefined) window.clearTimeout(pollTimer);
  stopRun();
  byId('app').hidden = true;
  byId('who').hidden = true;
  byId('login').hidden = false;
  byId('login-error').textContent = message;
  byId<HTMLInputElement>('token').value = '';
  byId('token').focus();
}

const TABS = ['transactions', 'cards', 'app', 'overrides'];

function selectTab(name: string, focus = false): void {
  for (const t of TABS) {
    const tab = byId(`tab-${t}`);
    const on = t === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    byId(`panel-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  if (name === 'overrides') void refreshOverrides();
}

function tabKeys(ev: KeyboardEvent): void {
  const current = TABS.findIndex((t) => byId(`tab-${t}`).getAttribute('aria-selected') === 'true');
  const next: Record<string, number> = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: TABS.length - 1 };
  const i = next[ev.key];
  if (i === undefined) return;
  ev.preventDefault();
  selectTab(TABS[(i + TABS.length) % TABS.length] as string, true);
}

// ------------------------------------------------------------------ the live list

const rows = new Map<string, HTMLTableRowElement>();
const updatedAt = new Map<string, string>();
let selected: string | undefined;

function listQuery(): string {
  const q = new URLSearchParams({ limit: '50' });
  const last4 = byId<HTMLInputElement>('f-last4').value.trim();
  if (/^[0-9]{4}$/.test(last4)) q.set('last4', last4);
  for (const [id, name] of [
    ['f-status', 'status'],
    ['f-flow', 'flow'],
    ['f-api', 'api'],
  ] as const) {
    const v = byId<HTMLSelectElement>(id).value;
    if (v) q.set(name, v);
  }
  return q.toString();
}

function schedulePoll(): void {
  if (pollTimer !== undefined) window.clearTimeout(pollTimer);
  pollTimer = window.setTimeout(async () => {
    if (signedIn && byId<HTMLInputElement>('f-live').checked && !document.hidden) await refreshList();
    if (signedIn) schedulePoll();
  }, POLL_MS);
}

function fillRow(row: HTMLTableRowElement, s: Summary): void {
  const open = el('button', {
    cls: 'link mono',
    text: clock(s.createdAt).slice(0, 8),
    attrs: { type: 'button', 'aria-label': `Open the timeline of ${s.threeDSServerTransID}`, title: s.createdAt },
  });
  open.addEventListener('click', () => void openTransaction(s.threeDSServerTransID, true));
  const cells: (Node | string)[] = [
    open,
    el('span', { cls: 'mono', text: s.maskedPan ?? s.last4 ?? '' }),
    statusBadge(s.status),
    s.stage ?? '',
    [s.flow, s.api].filter(Boolean).join(' · '),
    s.scenario ?? '',
    s.messageVersion ?? '',
  ];
  const had = row.contains(document.activeElement);
  row.replaceChildren(...cells.map((c) => el('td', {}, c)));
  if (had) open.focus();
  row.dataset.status = s.status ?? '';
  row.dataset.last4 = s.last4 ?? '';
}

async function refreshList(): Promise<void> {
  const state = byId('list-state');
  let items: Summary[];
  try {
    items = ((await admin('GET', `/__admin/transactions?${listQuery()}`)) as { items: Summary[] }).items;
  } catch (e) {
    if (signedIn) state.textContent = `The list could not be loaded: ${(e as Error).message}`;
    return;
  }
  const body = byId('tx-body');
  const keep = new Set(items.map((s) => s.threeDSServerTransID));
  for (const [id, row] of rows) {
    if (!keep.has(id)) {
      row.remove();
      rows.delete(id);
      updatedAt.delete(id);
    }
  }
  items.forEach((s, i) => {
    const id = s.threeDSServerTransID;
    let row = rows.get(id);
    const stamp = `${s.updatedAt ?? ''}|${s.status ?? ''}|${s.stage ?? ''}`;
    if (!row) {
      row = el('tr', { attrs: { 'data-id': id } });
      rows.set(id, row);
    }
    if (updatedAt.get(id) !== stamp) {
      fillRow(row, s);
      const changed = updatedAt.has(id);
      updatedAt.set(id, stamp);
      if (changed && id === selected) void openTransaction(id, false);
    }
    row.classList.toggle('selected', id === selected);
    if (body.children[i] !== row) body.insertBefore(row, body.children[i] ?? null);
  });
  state.textContent = `${items.length} transaction${items.length === 1 ? '' : 's'} · updated ${clock(new Date().toISOString())}`;
}

// ------------------------------------------------------------------ one transaction's timeline

function describe(kind: string, m: Json | undefined): string {
  if (!m) return '';
  const parts: string[] = [];
  for (const k of [
    'transStatus',
    'transStatusReason',
    'eci',
    'messageVersion',
    'resultsStatus',
    'errorCode',
    'acsUiType',
    'challengeCompletionInd',
    'status',
    'action',
    'result',
    'outcome',
  ]) {
    const v = m[k];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') parts.push(`${k} ${String(v)}`);
  }
  return kind === 'AReq' && typeof m.deviceChannel === 'string'
    ? [`deviceChannel ${m.deviceChannel}`, ...parts].join(' · ')
    : parts.join(' · ');
}

async function openTransaction(id: string, user: boolean): Promise<void> {
  selected = id;
  for (const [rid, row] of rows) row.classList.toggle('selected', rid === id);
  if (user) selectTab('transactions');
  let detail: { summary: Summary | null; record: Json; trail: Json[]; trailDropped: number };
  try {
    detail = (await admin('GET', `/__admin/transactions/${encodeURIComponent(id)}`)) as typeof detail;
  } catch (e) {
    byId('detail-empty').hidden = false;
    byId('detail-empty').textContent =
      e instanceof HttpError && e.status === 404
        ? `Transaction ${id} is gone (its record expired).`
        : `It could not be loaded: ${(e as Error).message}`;
    byId('detail-body').hidden = true;
    return;
  }
  if (selected !== id) return;
  const list = byId('timeline');
  const wasOpen = new Set([...list.querySelectorAll('details')].flatMap((d, i) => (d.open ? [i] : [])));
  const sameTx = list.dataset.id === id;
  const s = detail.summary;
  const facts: [string, string][] = [
    ['threeDSServerTransID', id],
    ['Card', s?.maskedPan ?? ''],
    ['Status', s?.status ?? ''],
    ['Stage', s?.stage ?? ''],
    ['Flow · API', `${s?.flow ?? ''} · ${s?.api ?? ''}`],
    ['Scenario', s?.scenario ?? ''],
    ['Version', s?.messageVersion ?? ''],
    ['Created', s?.createdAt ?? ''],
  ];
  byId('detail-summary').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
  const first = detail.trail[0]?.at as number | undefined;
  const items = detail.trail.map((e, i) => {
    const kind = String(e.kind ?? '?');
    const at = typeof e.at === 'number' ? e.at : undefined;
    const message = e.message as Json | undefined;
    const head = el(
      'div',
      { cls: 'head' },
      el('span', { cls: 'kind', text: kind }),
      el('span', {
        cls: 'when',
        text: `${clock(e.time as string)}${at !== undefined && first !== undefined ? ` (+${at - first} ms)` : ''}`,
      }),
      el('span', { cls: 'note', text: [typeof e.note === 'string' ? e.note : '', describe(kind, message)].filter(Boolean).join(' · ') }),
    );
    const body = e.truncated
      ? el('p', { cls: 'hint', text: `Kept as a stub: the message was ${String(e.bytes)} bytes.` })
      : el(
          'details',
          { attrs: sameTx ? (wasOpen.has(i) ? { open: '' } : {}) : i === detail.trail.length - 1 ? { open: '' } : {} },
          el('summary', { text: `${kind} message` }),
          el('pre', { text: pretty(message) }),
        );
    return el('li', { attrs: { 'data-kind': kind } }, head, body);
  });
  if (detail.trailDropped > 0)
    items.unshift(el('li', { cls: 'hint', text: `${detail.trailDropped} older entries left the bounded trail.` }));
  list.replaceChildren(...items);
  list.dataset.id = id;
  byId('detail-record').textContent = pretty(detail.record);
  byId('detail-empty').hidden = true;
  byId('detail-body').hidden = false;
  if (user) byId('detail-h').focus();
}

// ------------------------------------------------------------------ test cards: the browser flow

function outcomeOf(s: Json): string {
  const parts = [String(s.transStatus ?? '')];
  if (s.reason) parts.push(`reason ${String(s.reason)}`);
  if (s.challenge) parts.push(`challenge: ${String(s.challenge)}`);
  if (s.decoupled) parts.push('decoupled');
  if (s.threeDSMethod) parts.push('3DS Method');
  if (s.slow) parts.push('slow');
  if (s.challengeIndRule) parts.push(String(s.challengeIndRule));
  const ds = s.dsError as Json | undefined;
  if (ds) parts.push(`Erro ${String(ds.errorCode)} (${String(ds.errorComponent)})`);
  if (s.broken) parts.push(`broken: ${String(s.broken)}`);
  return parts.join(' · ');
}

function renderCards(): void {
  const body = byId('cards-body');
  body.replaceChildren(
    ...scenarios.map((c) => {
      const run = el('button', {
        text: 'Run',
        attrs: { type: 'button', 'aria-label': `Run card ${c.cardNumber ?? c.key}${c.name ? ` (${c.name})` : ''}` },
      });
      if (c.cardNumber) run.addEventListener('click', () => void runBrowserFlow(c.cardNumber as string, c));
      else run.disabled = true;
      return el(
        'tr',
        { attrs: { 'data-key': c.key } },
        el('td', { cls: 'mono', text: c.cardNumber ?? '(no range)' }),
        el('td', { cls: 'mono', text: c.key }),
        el('td', { text: c.name ?? '' }),
        el('td', { text: outcomeOf(c.scenario) }),
        el('td', {}, run),
      );
    }),
  );
  const pick = byId<HTMLSelectElement>('a-card');
  pick.replaceChildren(
    ...scenarios
      .filter((c) => c.cardNumber)
      .map((c) => el('option', { text: `${c.cardNumber} · ${c.name ?? c.key}`, attrs: { value: c.cardNumber as string } })),
  );
  const challenge = scenarios.find((c) => c.scenario.challenge === 'text' && !c.scenario.broken && !c.scenario.threeDSMethod);
  if (challenge?.cardNumber) pick.value = challenge.cardNumber;
}

interface Run {
  ctl: AbortController;
  /** This run's list of steps: a run that was stopped writes into its own, detached, list. */
  steps: HTMLElement;
  cleanup: (() => void)[];
}

let current: Run | undefined;
let runCount = 0;
/** The transaction of the last run, for "Open its timeline". */
let lastRunId: string | undefined;

function stopRun(why?: string): void {
  if (!current) return;
  if (why) runStep(current, why, { bad: true });
  current.ctl.abort();
  for (const c of current.cleanup) c();
  current = undefined;
  byId('challenge-box').replaceChildren();
  byId('challenge-box').hidden = true;
  byId('method-box').replaceChildren();
}

function runStep(run: Run, text: string, opts: { bad?: boolean; json?: unknown } = {}): void {
  const li = el('li', { ...(opts.bad && { cls: 'bad' }), text });
  if (opts.json !== undefined) li.append(el('pre', { text: pretty(opts.json) }));
  run.steps.append(li);
}

/** The next message of kind `kind` from a notification page this run framed; rejects on abort or after `ms`. */
function notification(run: Run, kind: string, frame: HTMLIFrameElement, ms?: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let timer: number | undefined;
    // Ends this wait's listeners (the run's abort listener included) however it settles.
    const listening = new AbortController();
    const done = () => {
      window.removeEventListener('message', onMessage);
      listening.abort();
      if (timer !== undefined) window.clearTimeout(timer);
    };
    const onMessage = (ev: MessageEvent) => {
      const d = ev.data as { source?: string; kind?: string; fields?: Record<string, string> } | null;
      if (
        ev.origin !== window.location.origin ||
        ev.source !== frame.contentWindow ||
        d?.source !== 'm3ds-console-notify' ||
        d.kind !== kind
      )
        return;
      done();
      resolve(d.fields ?? {});
    };
    window.addEventListener('message', onMessage);
    run.ctl.signal.addEventListener(
      'abort',
      () => {
        done();
        reject(new DOMException('stopped', 'AbortError'));
      },
      { once: true, signal: listening.signal },
    );
    if (ms !== undefined)
      timer = window.setTimeout(() => {
        done();
        reject(new Error('timeout'));
      }, ms);
  });
}

/** POSTs form fields into a frame (the way a merchant page opens the 3DS Method and the ACS page). */
function postInto(frame: HTMLIFrameElement, action: string, fields: Record<string, string>): void {
  const form = el('form', { attrs: { method: 'post', action, target: frame.name } });
  for (const [name, value] of Object.entries(fields)) form.append(el('input', { attrs: { type: 'hidden', name, value } }));
  byId('method-box').append(form);
  form.submit();
  form.remove();
}

async function runMethod(run: Run, url: string, id: string): Promise<boolean> {
  const frame = el('iframe', {
    attrs: { name: `m3ds-method-${runCount}`, title: '3DS Method (hidden)', 'aria-hidden': 'true', tabindex: '-1' },
  });
  byId('method-box').append(frame);
  const data = base64url(
    JSON.stringify({ threeDSServerTransID: id, threeDSMethodNotificationURL: `${window.location.origin}${NOTIFY_PATH}` }),
  );
  const arrived = notification(run, 'method', frame, METHOD_WAIT_MS);
  postInto(frame, url, { threeDSMethodData: data });
  try {
    await arrived;
    return true;
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    return false;
  } finally {
    frame.remove();
  }
}

function browserAReq(pan: string, id: string, compInd: string, row: CardRow | undefined): Json {
  const version = byId<HTMLSelectElement>('o-version').value;
  const decoupled = row?.scenario.decoupled === true;
  return {
    threeDSServerTransID: id,
    deviceChannel: '02',
    messageCategory: '01',
    preferredProtocolVersion: version,
    enforcePreferredProtocolVersion: false,
    threeDSCompInd: compInd,
    threeDSRequestor: {
      threeDSRequestorAuthenticationInd: '01',
      threeDSRequestorChallengeInd: byId<HTMLSelectElement>('o-ind').value,
      ...(decoupled && version !== '2.1.0' && { threeDSRequestorDecReqInd: 'Y', threeDSRequestorDecMaxTime: '00010' }),
    },
    cardholderAccount: { acctType: '02', cardExpiryDate: '2911', acctNumber: pan },
    cardholder: { cardholderName: 'QA Console', email: 'qa.console@example.test', billAddrCountry: '756' },
    purchase: {
      purchaseAmount: 1000,
      purchaseCurrency: '978',
      purchaseExponent: 2,
      purchaseDate: new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14),
      transType: '01',
    },
    acquirer: { acquirerBin: '400551', acquirerMerchantId: 'QA-CONSOLE' },
    merchant: {
      mcc: '5411',
      merchantCountryCode: '756',
      threeDSRequestorID: 'qa-console',
      threeDSRequestorName: 'QA console',
      merchantName: 'QA console',
      notificationURL: `${window.location.origin}${NOTIFY_PATH}`,
    },
    browserInformation: {
      browserAcceptHeader: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      browserIP: '192.0.2.10',
      browserLanguage: navigator.language || 'en',
      browserColorDepth: String(Math.min(48, window.screen.colorDepth || 24)),
      browserScreenHeight: window.screen.height,
      browserScreenWidth: window.screen.width,
      browserTZ: new Date().getTimezoneOffset(),
      browserUserAgent: navigator.userAgent.slice(0, 2048),
      challengeWindowSize: byId<HTMLSelectElement>('o-size').value,
      browserJavaEnabled: false,
      browserJavascriptEnabled: true,
    },
  };
}

async function showFinal(run: Run, id: string, waitMs = 0): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const f = await flow('/3ds/final', { threeDSServerTransID: id }, run.ctl.signal);
    if (f.status === 200 || Date.now() >= deadline) {
      if (current !== run) return;
      byId('run-final').textContent = pretty(f.body);
      byId('run-outcome').textContent =
        f.status === 200
          ? `Final outcome: transStatus ${String(f.body.transStatus)}${f.body.eci ? ` · eci ${String(f.body.eci)}` : ''}`
          : `No final outcome (HTTP ${f.status}): ${errorText(f.body)}`;
      byId('run-outcome').dataset.status = f.status === 200 ? String(f.body.transStatus) : '';
      runStep(run, `/3ds/final → ${f.status === 200 ? `transStatus ${String(f.body.transStatus)}` : `HTTP ${f.status}`}`, {
        bad: f.status !== 200,
      });
      return;
    }
    await new Promise((r) => window.setTimeout(r, 1000));
  }
}

async function runBrowserFlow(pan: string, row?: CardRow): Promise<void> {
  stopRun();
  runCount += 1;
  const steps = el('ol', { cls: 'steps', attrs: { id: 'run-steps', 'aria-live': 'polite' } });
  byId('run-steps').replaceWith(steps);
  const run: Run = { ctl: new AbortController(), steps, cleanup: [] };
  current = run;
  byId('run-idle').hidden = true;
  byId('run-box').hidden = false;
  byId('run-final').textContent = '';
  byId('run-outcome').textContent = '';
  byId('run-outcome').dataset.status = '';
  byId('run-h').textContent = `Browser flow · ${pan.slice(0, 6)}…${pan.slice(-4)}${row?.name ? ` (${row.name})` : ''}`;
  byId('run-h').focus();
  try {
    const v = await flow('/3ds/version', { cardNumber: pan }, run.ctl.signal);
    if (v.status !== 200) return runStep(run, `/3ds/version → HTTP ${v.status}: ${errorText(v.body)}`, { bad: true });
    const id = String(v.body.threeDSServerTransID);
    lastRunId = id;
    const range = (v.body.cardRanges as Json[] | undefined)?.[0];
    runStep(run, `/3ds/version → ${id}${range ? '' : ' (the card is in no range: not enrolled)'}`);
    let compInd = 'U';
    const methodURL = range?.threeDSMethodURL;
    if (typeof methodURL === 'string') {
      runStep(run, '3DS Method: posting threeDSMethodData into a hidden frame…');
      compInd = (await runMethod(run, methodURL, id)) ? 'Y' : 'N';
      runStep(
        run,
        compInd === 'Y' ? '3DS Method completed: threeDSCompInd Y' : '3DS Method did not report back within 10 s: threeDSCompInd N',
        {
          bad: compInd !== 'Y',
        },
      );
    }
    const a = await flow('/3ds/authenticate', browserAReq(pan, id, compInd, row), run.ctl.signal);
    if (a.status !== 200) {
      runStep(run, `/3ds/authenticate → HTTP ${a.status}: ${errorText(a.body)}`, { bad: true, json: a.body });
      return await showFinal(run, id);
    }
    const ares = (a.body.authenticationResponse ?? {}) as Json;
    const status = String(a.body.transStatus);
    runStep(run, `ARes: transStatus ${status}${ares.transStatusReason ? ` · reason ${String(ares.transStatusReason)}` : ''}`);
    if (status === 'C') {
      const acsURL = a.body.acsURL;
      if (typeof acsURL !== 'string') {
        runStep(run, 'A challenge without acsURL (a broken card): a merchant cannot show it', { bad: true });
        return await showFinal(run, id);
      }
      const creq =
        typeof a.body.base64EncodedChallengeRequest === 'string'
          ? a.body.base64EncodedChallengeRequest
          : base64url(JSON.stringify(a.body.challengeRequest ?? {}));
      const cres = await challenge(run, acsURL, creq);
      runStep(run, `CRes: transStatus ${String(cres.transStatus)}`, { json: cres });
      return await showFinal(run, id);
    }
    if (status === 'D') {
      runStep(run, 'Decoupled: the issuer authenticates out of band; waiting for the results…');
      return await showFinal(run, id, DECOUPLED_WAIT_MS);
    }
    await showFinal(run, id);
  } catch (e) {
    // A stopped run (the Stop button, or another run) says nothing more: the list may be the next run's.
    if ((e as Error).name !== 'AbortError' && current === run) runStep(run, `Failed: ${(e as Error).message}`, { bad: true });
  } finally {
    if (current === run) {
      byId('challenge-box').hidden = true;
      byId('challenge-box').replaceChildren();
      current = undefined;
    }
  }
}

/** The ACS page in a frame of the chosen challenge window; resolves with the decoded final CRes. */
async function challenge(run: Run, acsURL: string, creq: string): Promise<Json> {
  const size = byId<HTMLSelectElement>('o-size').value;
  const box = byId('challenge-box');
  box.hidden = false;
  const [w, h] = WINDOW[size] ?? [Math.max(250, box.clientWidth - 20), 600];
  const frame = el('iframe', {
    attrs: { name: `m3ds-acs-${runCount}`, title: `ACS challenge page (window ${size})`, width: String(w), height: String(h) },
  });
  box.replaceChildren(el('p', { cls: 'hint', text: `challengeWindowSize ${size}: ${w} × ${h}` }), frame);
  runStep(run, `Challenge: the ACS page in a ${w} × ${h} frame (window ${size}); answer it there`);
  const session = base64url(`console-run-${runCount}`);
  const arrived = notification(run, 'cres', frame);
  postInto(frame, acsURL, { creq, threeDSSessionData: session });
  const fields = await arrived;
  if (fields.threeDSSessionData !== undefined && fields.threeDSSessionData !== session)
    runStep(run, 'threeDSSessionData came back changed', { bad: true });
  if (fields.cres === undefined) return { transStatus: fields.transStatus };
  try {
    return JSON.parse(fromBase64url(fields.cres)) as Json;
  } catch {
    return { unreadable: fields.cres.slice(0, 200) };
  }
}

// ------------------------------------------------------------------ the app flow

async function runAppFlow(ev: SubmitEvent): Promise<void> {
  ev.preventDefault();
  const state = byId('app-state');
  const pan = byId<HTMLInputElement>('a-pan').value.trim() || byId<HTMLSelectElement>('a-card').value;
  const body = {
    cardNumber: pan,
    answer: byId<HTMLInputElement>('a-answer').value,
    cancel: byId<HTMLInputElement>('a-cancel').checked,
    messageVersion: byId<HTMLSelectElement>('a-version').value,
    enc: byId<HTMLSelectElement>('a-enc').value,
  };
  state.textContent = `Running the app flow of ${pan.slice(0, 6)}…${pan.slice(-4)}…`;
  byId('app-steps').replaceChildren();
  byId('app-outcome').textContent = '';
  byId('app-final').textContent = '';
  let out: { threeDSServerTransID: string; transStatus?: string; challengeStatus?: string; steps: Json[]; final: Json };
  try {
    out = (await admin('POST', '/__admin/app-flow', body)) as typeof out;
  } catch (e) {
    state.textContent = `The app flow could not run: ${(e as Error).message}`;
    return;
  }
  state.textContent = `Transaction ${out.threeDSServerTransID}: ${out.steps.length} steps.`;
  byId('app-steps').replaceChildren(
    ...out.steps.map((s) => {
      const kind = String(s.kind);
      return el(
        'li',
        { attrs: { 'data-kind': kind } },
        el(
          'div',
          { cls: 'head' },
          el('span', { cls: 'kind', text: kind }),
          el('span', { cls: 'when', text: clock(s.time as string) }),
          el('span', { cls: 'note', text: [s.note, describe(kind, s.message as Json | undefined)].filter(Boolean).join(' · ') }),
        ),
        ...(s.message === undefined
          ? []
          : [el('details', {}, el('summary', { text: `${kind} message` }), el('pre', { text: pretty(s.message) }))]),
      );
    }),
  );
  const f = out.final;
  byId('app-outcome').textContent =
    typeof f?.transStatus === 'string'
      ? `Final outcome: transStatus ${f.transStatus}${f.eci ? ` · eci ${String(f.eci)}` : ''}`
      : `No final outcome: ${errorText(f)}`;
  byId('app-final').textContent = pretty(f);
}

// ------------------------------------------------------------------ overrides

function renderScenarioChoices(): void {
  const select = byId<HTMLSelectElement>('ov-scenario');
  select.replaceChildren(
    ...scenarios.map((c) =>
      el('option', { text: `${c.name ?? c.key} (${c.key}: ${outcomeOf(c.scenario)})`, attrs: { value: c.key, 'data-name': c.name ?? '' } }),
    ),
  );
}

async function refreshOverrides(): Promise<void> {
  if (!signedIn) return;
  let out: { overrides: { key: string; scenario: Json; setBy?: string; setAt?: string }[] };
  try {
    out = (await admin('GET', '/__admin/overrides')) as typeof out;
  } catch (e) {
    byId('ov-state').textContent = `The overrides could not be loaded: ${(e as Error).message}`;
    return;
  }
  byId('ov-body').replaceChildren(
    ...out.overrides.map((o) => {
      const remove = el('button', {
        cls: 'link',
        text: 'Remove',
        attrs: { type: 'button', 'aria-label': `Remove the override of ${o.key}` },
      });
      remove.addEventListener('click', () => void removeOverride(o.key));
      const s = o.scenario;
      return el(
        'tr',
        { attrs: { 'data-key': o.key } },
        el('td', { cls: 'mono', text: o.key }),
        el('td', { text: `${s.name ? `${String(s.name)} · ` : ''}${outcomeOf(s)}` }),
        el('td', { text: o.setBy ?? '' }),
        el('td', { cls: 'mono', text: clock(o.setAt) }),
        el('td', {}, remove),
      );
    }),
  );
  byId('ov-empty').hidden = out.overrides.length > 0;
}

async function setOverride(ev: SubmitEvent): Promise<void> {
  ev.preventDefault();
  const key = byId<HTMLInputElement>('ov-key').value.trim();
  const scenario = byId<HTMLSelectElement>('ov-scenario').value;
  const state = byId('ov-state');
  if (!/^([0-9]{4}|[0-9]{13,19})$/.test(key)) {
    state.textContent = 'The card is a full card number (13 to 19 digits) or its last 4 digits.';
    byId('ov-key').focus();
    return;
  }
  try {
    const out = (await admin('PUT', `/__admin/overrides/${key}`, { scenario })) as { previous?: unknown };
    state.textContent = `${key} now follows ${scenario}${out.previous ? ' (it replaced the previous override)' : ''}.`;
  } catch (e) {
    state.textContent = `Not set: ${(e as Error).message}`;
  }
  await refreshOverrides();
}

async function removeOverride(key: string): Promise<void> {
  const state = byId('ov-state');
  try {
    await admin('DELETE', `/__admin/overrides/${key}`);
    state.textContent = `The override of ${key} is removed.`;
  } catch (e) {
    state.textContent = `Not removed: ${(e as Error).message}`;
  }
  await refreshOverrides();
  byId('ov-key').focus();
}

async function clearOverrides(): Promise<void> {
  try {
    const out = (await admin('DELETE', '/__admin/overrides')) as { removed: number };
    byId('ov-state').textContent = `${out.removed} override${out.removed === 1 ? '' : 's'} removed.`;
  } catch (e) {
    byId('ov-state').textContent = `Not removed: ${(e as Error).message}`;
  }
  await refreshOverrides();
}

/** The reset asks twice: the first press arms the button, a second within 5 s resets. */
let armed: number | undefined;
async function reset(): Promise<void> {
  const button = byId('reset');
  if (armed === undefined) {
    button.classList.add('armed');
    button.textContent = 'Press again to reset';
    armed = window.setTimeout(() => disarm(), 5000);
    return;
  }
  disarm();
  try {
    const out = (await admin('POST', '/__admin/reset')) as { overridesRemoved: number; transactionsForgotten: number };
    byId('ov-state').textContent = `Reset: ${out.transactionsForgotten} transactions forgotten, ${out.overridesRemoved} overrides removed.`;
  } catch (e) {
    byId('ov-state').textContent = `Not reset: ${(e as Error).message}`;
  }
  await Promise.all([refreshOverrides(), refreshList()]);
}

function disarm(): void {
  if (armed !== undefined) window.clearTimeout(armed);
  armed = undefined;
  const button = byId('reset');
  button.classList.remove('armed');
  button.textContent = 'Reset: forget transactions and overrides';
}

// ------------------------------------------------------------------ wiring

function start(): void {
  byId<HTMLFormElement>('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void signIn(byId<HTMLInputElement>('token').value.trim());
  });
  byId('signout').addEventListener('click', () => signOut());
  for (const t of TABS) byId(`tab-${t}`).addEventListener('click', () => selectTab(t));
  byId('tab-transactions').parentElement?.addEventListener('keydown', tabKeys);

  const filters = byId<HTMLFormElement>('filters');
  filters.addEventListener('submit', (ev) => ev.preventDefault());
  filters.addEventListener('change', () => void refreshList());
  filters.addEventListener('input', () => void refreshList());
  filters.addEventListener('reset', () => window.setTimeout(() => void refreshList(), 0));
  byId('detail-refresh').addEventListener('click', () => selected && void openTransaction(selected, false));
  const openAll = (open: boolean) => {
    for (const d of byId('timeline').querySelectorAll('details')) d.open = open;
  };
  byId('detail-expand').addEventListener('click', () => openAll(true));
  byId('detail-collapse').addEventListener('click', () => openAll(false));

  byId<HTMLFormElement>('run-options').addEventListener('submit', (ev) => ev.preventDefault());
  byId<HTMLFormElement>('run-pan').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const pan = byId<HTMLInputElement>('o-pan').value.trim();
    if (/^[0-9]{13,19}$/.test(pan))
      void runBrowserFlow(
        pan,
        scenarios.find((c) => c.cardNumber === pan),
      );
    else byId('o-pan').focus();
  });
  byId('run-stop').addEventListener('click', () => stopRun('Stopped: the console no longer waits for this flow.'));
  byId('run-open').addEventListener('click', () => {
    if (lastRunId) void openTransaction(lastRunId, true);
  });

  byId<HTMLFormElement>('app-form').addEventListener('submit', (ev) => void runAppFlow(ev));
  byId<HTMLFormElement>('ov-form').addEventListener('submit', (ev) => void setOverride(ev));
  byId('ov-clear').addEventListener('click', () => void clearOverrides());
  byId('reset').addEventListener('click', () => void reset());
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && signedIn) void refreshList();
  });

  const saved = token();
  if (saved) void signIn(saved);
  else byId('token').focus();
}

start();
