// The QA console's transactions tab (SPEC §17): the live list (filtered, polled every 2 s while the tab is
// live and the page visible, rows updated in place) and the timeline of one transaction — its facts, every
// message of its trail, its record.
import { admin, HttpError } from './api.js';
import { byId, clock, el, pretty, statusBadge } from './dom.js';
import { type Json, state } from './state.js';
import { selectTab } from './tabs.js';

export interface Summary {
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

const POLL_MS = 2000;

// ------------------------------------------------------------------ the live list

const rows = new Map<string, HTMLTableRowElement>();
const updatedAt = new Map<string, string>();

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

export function schedulePoll(): void {
  if (state.pollTimer !== undefined) window.clearTimeout(state.pollTimer);
  state.pollTimer = window.setTimeout(async () => {
    if (state.signedIn && byId<HTMLInputElement>('f-live').checked && !document.hidden) await refreshList();
    if (state.signedIn) schedulePoll();
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

export async function refreshList(): Promise<void> {
  const listState = byId('list-state');
  let items: Summary[];
  try {
    items = ((await admin('GET', `/__admin/transactions?${listQuery()}`)) as { items: Summary[] }).items;
  } catch (e) {
    if (state.signedIn) listState.textContent = `The list could not be loaded: ${(e as Error).message}`;
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
      if (changed && id === state.selected) void openTransaction(id, false);
    }
    row.classList.toggle('selected', id === state.selected);
    if (body.children[i] !== row) body.insertBefore(row, body.children[i] ?? null);
  });
  listState.textContent = `${items.length} transaction${items.length === 1 ? '' : 's'} · updated ${clock(new Date().toISOString())}`;
}

// ------------------------------------------------------------------ one transaction's timeline

export function describe(kind: string, m: Json | undefined): string {
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

export async function openTransaction(id: string, user: boolean): Promise<void> {
  state.selected = id;
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
  if (state.selected !== id) return;
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
