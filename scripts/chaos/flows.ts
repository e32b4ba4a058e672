// The chaos load (SPEC §20): browser flows over every test card (SPEC §4), one request in flight per
// loop over keep-alive connections, every request recorded (start, end, step, status, which worker
// answered, how it failed) and every acknowledged transaction kept for reading back afterwards.
//
// A transaction is acknowledged when a step that writes its record answered 200 with its ID: the
// authenticate (the version call writes nothing, except for the 3DS Method card, so it is not counted)
// and the challenge completion. Each card's flow is the one README's "Test cards" describes:
//   4000 Y · 4001 code 1234 → Y (every other 4001 flow cancels → U) · 4002 N · 4003 R · 4004 U · 4005 A
//   4006 D (threeDSRequestorDecReqInd Y) · 4007 I (challenge indicator 05) · 4008 single select 02 → Y
//   4009 multi select 01+03 → Y · 4010 out of band → Y · 4011 issuer HTML, code → Y
//   4012 Directory Server error (HTTP 502: the documented answer, not a failure) · 4013 slow Y
//   4014 3DS Method run first, then Y
// Steps: version → (3DS Method) → authenticate → (trigger-otp → verify-otp) → final. Requests go to one
// of the instances given; an instance that refuses a connection is taken out of rotation for a second
// and the request goes to another (a load balancer's health check), unless there is no other.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { now, ROOT, sleep } from './common.js';

export type Step = 'version' | '3ds-method' | 'authenticate' | 'trigger-otp' | 'verify-otp' | 'final';

/**
 * How a request ended. `ok`: the answer the step expects. `expected`: a documented non-200 (the DS-error
 * card's 502, "results pending" for a decoupled authentication). `rerouted`: refused by an instance
 * that is down, sent to another. Everything else is a failure: `503` (with Retry-After), `503 without
 * Retry-After`, `HTTP <status>`, `bad content`, `refused`, `reset` (connection closed with the request
 * unanswered), `timeout`, `transport`.
 */
export type Kind = string;

export const NOT_FAILURES: ReadonlySet<Kind> = new Set(['ok', 'expected', 'rerouted']);

export interface ReqRecord {
  t0: number;
  t1: number;
  step: Step;
  status: number;
  kind: Kind;
  /** Worker pid that answered, or whose connection it was (0: unknown, a fresh connection that failed). */
  pid: number;
  /** Instance index (bases[inst]). */
  inst: number;
  /** Whether the connection was reused (keep-alive) rather than fresh. */
  reused: boolean;
  /** The card of the flow (last four digits). */
  card: string;
  /** The card's deliberate delay (4013's authenticate): left out of latency figures. */
  deliberate?: true;
}

export interface Ack {
  id: string;
  card: string;
  /** Instance that answered the acknowledging step. */
  inst: number;
  level: 'authenticated' | 'completed';
  /** The transStatus the ARes or the completion gave (C: challenge open, D: decoupled pending). */
  status: string;
  /** When the acknowledging answer arrived. */
  t: number;
}

export interface LoadOptions {
  /** http://127.0.0.1:port, one per instance. */
  bases: string[];
  concurrency: number;
  /** merchant.resultsResponseNotificationUrl for every AReq (results pushes), when set. */
  pushUrl?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Only these cards (last four digits), default every one. */
  cards?: string[];
}

export interface LoadReport {
  records: ReqRecord[];
  acks: Ack[];
  flows: number;
  flowsOk: number;
  /** A few unexpected answers, for the report. */
  samples: string[];
}

interface Card {
  last4: string;
  /** What authenticate answers: a transStatus, or the DS error. */
  ares: string;
  /** Form fields of verify-otp that end the challenge, and the final status they give. */
  complete?: { fields: Record<string, string>; final: string };
  patch?: (areq: Record<string, unknown>) => void;
  method?: boolean;
}

const requestor = (a: Record<string, unknown>) => a.threeDSRequestor as Record<string, unknown>;

export const CARDS: readonly Card[] = [
  { last4: '4000', ares: 'Y' },
  { last4: '4001', ares: 'C', complete: { fields: { challengeDataEntry: '1234' }, final: 'Y' } },
  { last4: '4002', ares: 'N' },
  { last4: '4003', ares: 'R' },
  { last4: '4004', ares: 'U' },
  { last4: '4005', ares: 'A' },
  {
    last4: '4006',
    ares: 'D',
    patch: (a) => {
      requestor(a).threeDSRequestorDecReqInd = 'Y';
    },
  },
  {
    last4: '4007',
    ares: 'I',
    patch: (a) => {
      requestor(a).threeDSRequestorChallengeInd = '05';
    },
  },
  { last4: '4008', ares: 'C', complete: { fields: { challengeDataEntry: '02' }, final: 'Y' } },
  { last4: '4009', ares: 'C', complete: { fields: { 'select-01': '01', 'select-03': '03' }, final: 'Y' } },
  { last4: '4010', ares: 'C', complete: { fields: { action: 'oob-continue' }, final: 'Y' } },
  { last4: '4011', ares: 'C', complete: { fields: { challengeDataEntry: '1234' }, final: 'Y' } },
  { last4: '4001', ares: 'C', complete: { fields: { action: 'cancel' }, final: 'U' } },
  { last4: '4012', ares: 'ds-error' },
  { last4: '4013', ares: 'Y' },
  {
    last4: '4014',
    ares: 'Y',
    method: true,
    patch: (a) => {
      a.threeDSCompInd = 'Y';
    },
  },
];

/** The card whose authenticate answers late on purpose (protocol.slowResponseMs). */
export const SLOW_CARD = '4013';

export const panOf = (last4: string): string => `400040004000${last4}`;

interface Answer {
  status: number;
  type: string;
  retryAfter: boolean;
  body: string;
  /** The request's record, whose kind the step's verdict sets. */
  rec: ReqRecord;
}

class StepFailure extends Error {
  constructor(readonly kind: Kind) {
    super(kind);
  }
}

const JSON_TYPE = 'application/json';
const FORM = 'application/x-www-form-urlencoded';

/** Runs the load until stop() is called; then resolves with everything recorded. */
export class FlowLoad {
  readonly records: ReqRecord[] = [];
  private readonly acks = new Map<string, Ack>();
  private readonly samples: string[] = [];
  private readonly agents: http.Agent[];
  private readonly bases: URL[];
  private readonly downUntil: number[];
  private readonly pid = new WeakMap<Socket, number>();
  private readonly template: Record<string, unknown>;
  private readonly cards: readonly Card[];
  private stopping = false;
  private flows = 0;
  private flowsOk = 0;
  private seq = 0;
  private rr = 0;
  private loops: Promise<void>[] = [];

  constructor(private readonly opts: LoadOptions) {
    this.bases = opts.bases.map((b) => new URL(b));
    this.agents = opts.bases.map(() => new http.Agent({ keepAlive: true, maxSockets: opts.concurrency }));
    this.downUntil = opts.bases.map(() => 0);
    this.template = JSON.parse(readFileSync(path.join(ROOT, 'examples/authenticate-browser.json'), 'utf8')) as Record<string, unknown>;
    this.cards = opts.cards ? CARDS.filter((c) => opts.cards?.includes(c.last4)) : CARDS;
    if (this.cards.length === 0) throw new Error(`no card among ${opts.cards?.join(', ')}`);
  }

  start(): void {
    this.loops = Array.from({ length: this.opts.concurrency }, () => this.loop());
  }

  async stop(): Promise<LoadReport> {
    this.stopping = true;
    await Promise.all(this.loops);
    for (const a of this.agents) a.destroy();
    return { records: this.records, acks: [...this.acks.values()], flows: this.flows, flowsOk: this.flowsOk, samples: this.samples };
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const card = this.cards[this.seq++ % this.cards.length] as Card;
      this.flows++;
      try {
        await this.flow(card);
        this.flowsOk++;
      } catch (err) {
        if (!(err instanceof StepFailure)) throw err;
        // Nothing listening: do not spin.
        if (err.kind === 'refused') await sleep(25);
      }
    }
  }

  /** An instance in rotation (round robin), or undefined when every one is marked down. */
  private pick(exclude?: number): number | undefined {
    const t = now();
    const start = this.rr++;
    for (let i = 0; i < this.bases.length; i++) {
      const k = (start + i) % this.bases.length;
      if (k !== exclude && (this.downUntil[k] as number) <= t) return k;
    }
    return exclude !== undefined && this.bases.length > 1 ? undefined : exclude;
  }

  private send(
    card: string,
    step: Step,
    urlPath: string,
    type: string | undefined,
    body: string | undefined,
    inst0?: number,
  ): Promise<Answer> {
    const inst = inst0 ?? this.pick() ?? 0;
    return new Promise((resolve, reject) => {
      const base = this.bases[inst] as URL;
      const headers: Record<string, string | number> = {};
      if (type) headers['content-type'] = type;
      if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
      const t0 = now();
      let sockPid = 0;
      let reused = false;
      let done = false;
      const finish = (status: number, kind: Kind, pid: number, answer?: Omit<Answer, 'rec'>, rerouted?: boolean) => {
        if (done) return;
        done = true;
        const rec: ReqRecord = { t0, t1: now(), step, status, kind: rerouted ? 'rerouted' : kind, pid, inst, reused, card };
        if (card === SLOW_CARD && step === 'authenticate') rec.deliberate = true;
        this.records.push(rec);
        if (answer) resolve({ ...answer, rec });
        else if (rerouted) {
          const other = this.pick(inst);
          if (other === undefined) {
            // Every instance refuses: a failure after all.
            rec.kind = 'refused';
            return reject(new StepFailure('refused'));
          }
          this.send(card, step, urlPath, type, body, other).then(resolve, reject);
        } else reject(new StepFailure(kind));
      };
      const req = http.request(
        { agent: this.agents[inst], host: base.hostname, port: base.port, method: 'POST', path: urlPath, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', () => finish(0, 'reset', sockPid));
          res.on('end', () => {
            const pid = Number(res.headers['x-worker-pid'] ?? 0) || sockPid;
            if (pid && req.socket) this.pid.set(req.socket, pid);
            finish(res.statusCode ?? 0, 'answered', pid, {
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type'] ?? ''),
              retryAfter: res.headers['retry-after'] !== undefined,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      req.on('socket', (s: Socket) => {
        sockPid = this.pid.get(s) ?? 0;
        reused = (req as unknown as { reusedSocket?: boolean }).reusedSocket === true;
      });
      req.setTimeout(this.opts.timeoutMs ?? 10_000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'CHAOS_TIMEOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? '';
        if (code === 'ECONNREFUSED') {
          this.downUntil[inst] = now() + 1000;
          return finish(0, 'refused', 0, undefined, this.bases.length > 1);
        }
        const kind = code === 'CHAOS_TIMEOUT' ? 'timeout' : code === 'ECONNRESET' || code === 'EPIPE' ? 'reset' : 'transport';
        finish(0, kind, sockPid);
      });
      req.end(body);
    });
  }

  /** Sets the kind of the answer's record from the step's verdict; a failure ends the flow. */
  private verdict(step: Step, a: Answer, ok: boolean, expected = false): void {
    let kind: Kind;
    if (ok) kind = expected ? 'expected' : 'ok';
    else if (a.status === 503) kind = a.retryAfter ? '503' : '503 without Retry-After';
    else if (a.status !== 200) kind = `HTTP ${a.status}`;
    else kind = 'bad content';
    a.rec.kind = kind;
    if (!ok) {
      if (this.samples.length < 20) this.samples.push(`${step}: HTTP ${a.status} ${a.body.slice(0, 200).replace(/\s+/g, ' ')}`);
      throw new StepFailure(kind);
    }
  }

  private async post(
    card: string,
    step: Step,
    p: string,
    type: string,
    body: string,
    check: (a: Answer) => boolean | 'expected',
  ): Promise<Answer> {
    const a = await this.send(card, step, p, type, body);
    let v: boolean | 'expected' = false;
    try {
      v = check(a);
    } catch {
      v = false;
    }
    this.verdict(step, a, v !== false, v === 'expected');
    return a;
  }

  private ack(a: Answer, id: string, card: string, level: Ack['level'], status: string): void {
    this.acks.set(id, { id, card, inst: a.rec.inst, level, status, t: a.rec.t1 });
  }

  private async flow(card: Card): Promise<void> {
    const pan = panOf(card.last4);
    const json = (a: Answer) => JSON.parse(a.body) as Record<string, unknown>;
    const v = await this.post(card.last4, 'version', '/3ds/version', JSON_TYPE, JSON.stringify({ cardNumber: pan }), (a) => {
      const r = json(a);
      const ranges = r.cardRanges as Record<string, unknown>[] | undefined;
      return (
        a.status === 200 &&
        typeof r.threeDSServerTransID === 'string' &&
        Array.isArray(ranges) &&
        ranges.length === 1 &&
        (!card.method || typeof ranges[0]?.threeDSMethodURL === 'string')
      );
    });
    const id = json(v).threeDSServerTransID as string;
    if (card.method) {
      const data = Buffer.from(
        JSON.stringify({ threeDSServerTransID: id, threeDSMethodNotificationURL: 'http://127.0.0.1:9901/method' }),
      ).toString('base64url');
      await this.post(
        card.last4,
        '3ds-method',
        '/processor/mock/acs/3ds-method',
        FORM,
        new URLSearchParams({ threeDSMethodData: data }).toString(),
        (a) => a.status === 200 && a.type.startsWith('text/html'),
      );
    }
    const areq = structuredClone(this.template);
    areq.threeDSServerTransID = id;
    (areq.cardholderAccount as Record<string, unknown>).acctNumber = pan;
    if (this.opts.pushUrl) (areq.merchant as Record<string, unknown>).resultsResponseNotificationUrl = this.opts.pushUrl;
    card.patch?.(areq);
    const a = await this.post(card.last4, 'authenticate', '/3ds/authenticate', JSON_TYPE, JSON.stringify(areq), (x) => {
      if (card.ares === 'ds-error') {
        const e = json(x).errorDetails as Record<string, unknown> | undefined;
        return x.status === 502 && e?.errorComponent === 'D' ? 'expected' : false;
      }
      const r = json(x);
      if (x.status !== 200 || r.transStatus !== card.ares || r.threeDSServerTransID !== id) return false;
      return card.ares !== 'C' || (typeof r.acsURL === 'string' && typeof r.base64EncodedChallengeRequest === 'string');
    });
    if (card.ares === 'ds-error') return;
    this.ack(a, id, card.last4, 'authenticated', card.ares);
    let finalStatus = card.ares;
    if (card.complete) {
      const r = json(a);
      const acsPath = new URL(r.acsURL as string).pathname;
      const open = new URLSearchParams({ creq: r.base64EncodedChallengeRequest as string, threeDSSessionData: `order-${id.slice(-12)}` });
      await this.post(
        card.last4,
        'trigger-otp',
        acsPath,
        FORM,
        open.toString(),
        (x) => x.status === 200 && x.body.includes('name="cardholderInput"'),
      );
      const submit = new URLSearchParams({ threeDSServerTransID: id, ...card.complete.fields });
      const done = await this.post(
        card.last4,
        'verify-otp',
        '/processor/mock/acs/verify-otp',
        FORM,
        submit.toString(),
        (x) => x.status === 200 && x.body.includes('name="cres"'),
      );
      finalStatus = card.complete.final;
      this.ack(done, id, card.last4, 'completed', finalStatus);
    }
    await this.post(card.last4, 'final', '/3ds/final', JSON_TYPE, JSON.stringify({ threeDSServerTransID: id }), (x) => {
      if (card.ares === 'D') {
        if (x.status === 409) return (json(x).errorDetails as Record<string, unknown>)?.errorCode === '305' ? 'expected' : false;
        return x.status === 200 && json(x).transStatus === 'Y';
      }
      return x.status === 200 && json(x).transStatus === finalStatus;
    });
  }
}
