// Due work shared by every instance on one Redis (SPEC §19): a sorted set `<prefix>:due` scored by the
// time (ms) a job is due, members naming the job as `<kind>|<threeDSServerTransID>|<attempt>`. Any live
// instance's poller claims due jobs with one script (CLAIM): the members due by now are re-scored to
// now + lease, so a job whose claimer dies comes back once the lease runs out. A claim's token is the
// lease score it set; DONE removes the member only while it still carries that score, so a claimer whose
// lease ran out cannot remove a job another instance has claimed since. Jobs must be idempotent (they
// are run at least once): the decoupled completion and the challenge timeout are a CAS on the record (a
// second run finds it final), a push re-reads the record.
//
// Claim scores only grow for one member: a later claim happens at a time >= the previous lease score,
// and adds the lease to it. The clock is the caller's (injectable, `now`), so instances' clocks should
// agree to well within the lease.
//
// The embedded store has no due queue: one instance keeps its due work in in-process timers (README).
import type { Logger } from '../logger.js';
import type { RedisClient } from './redis-connection.js';

export type DueKind = 'decoupled' | 'challenge' | 'push';
const KINDS: ReadonlySet<string> = new Set<DueKind>(['decoupled', 'challenge', 'push']);

export interface DueJob {
  kind: DueKind;
  id: string;
  attempt: number;
}

export interface ClaimedJob extends DueJob {
  member: string;
  /** The lease score this claim set: DONE needs it. */
  token: number;
}

// KEYS[1] due set; ARGV[1] now, ARGV[2] lease score (now + lease), ARGV[3] limit. Returns the members claimed.
export const CLAIM_LUA = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], m) end
return due`;

// KEYS[1] due set; ARGV[1] member, ARGV[2] the claim's lease score. Returns 1 when removed, else 0.
export const DONE_LUA = `
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0`;

export function dueMember(job: DueJob): string {
  return `${job.kind}|${job.id}|${job.attempt}`;
}

export function parseMember(member: string): DueJob | undefined {
  const [kind, id, attempt] = member.split('|');
  if (kind === undefined || !KINDS.has(kind) || !id || attempt === undefined) return undefined;
  return { kind: kind as DueKind, id, attempt: Number(attempt) };
}

export interface DueQueueOptions {
  redis: RedisClient;
  prefix: string;
  logger: Logger;
  now?: () => number;
  /** How long a claim holds a job before another instance may take it (default 5 s). */
  leaseMs?: number;
  /** Poll period; each wait is jittered ±50% (default 150 ms). */
  pollMs?: number;
  /** Jobs claimed per poll (default 50). */
  batch?: number;
}

export type DueHandler = (job: ClaimedJob) => Promise<void>;

export class DueQueue {
  readonly key: string;
  readonly leaseMs: number;
  private readonly now: () => number;
  private readonly pollMs: number;
  private readonly batch: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly opts: DueQueueOptions) {
    this.key = `${opts.prefix}:due`;
    this.now = opts.now ?? Date.now;
    this.leaseMs = opts.leaseMs ?? 5_000;
    this.pollMs = opts.pollMs ?? 150;
    this.batch = opts.batch ?? 50;
  }

  /** Adds a job due at `dueAt` (ms); a job already queued keeps its score (NX: a claim is not reset). */
  async schedule(job: DueJob, dueAt: number): Promise<void> {
    await this.opts.redis.zadd(this.key, 'NX', dueAt, dueMember(job));
  }

  /** Claims up to `limit` jobs due by now; each is held for the lease. */
  async claim(limit = this.batch): Promise<ClaimedJob[]> {
    const now = this.now();
    const token = now + this.leaseMs;
    const members = (await this.opts.redis.eval(CLAIM_LUA, 1, this.key, now, token, limit)) as string[];
    const out: ClaimedJob[] = [];
    for (const member of members) {
      const job = parseMember(member);
      if (job) out.push({ ...job, member, token });
      else await this.opts.redis.zrem(this.key, member);
    }
    return out;
  }

  /** Removes a claimed job when it still carries this claim's lease; false when another claim holds it. */
  async done(job: ClaimedJob): Promise<boolean> {
    return (await this.opts.redis.eval(DONE_LUA, 1, this.key, job.member, job.token)) === 1;
  }

  /** Removes a job whatever its claim (the process that scheduled it finished it itself). */
  async remove(job: DueJob): Promise<void> {
    await this.opts.redis.zrem(this.key, dueMember(job));
  }

  /** Polls and runs due jobs until stop(): a job that throws stays claimed and comes back after the lease. */
  start(handler: DueHandler): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      try {
        if (this.opts.redis.status === 'ready') {
          for (const job of await this.claim()) {
            const p = handler(job)
              .then(() => this.done(job))
              .then(
                () => undefined,
                (err: unknown) => this.opts.logger.warn('due job failed; retried after its lease', { job: job.member, err: err as Error }),
              );
            this.running.add(p);
            void p.finally(() => this.running.delete(p));
          }
        }
      } catch (err) {
        this.opts.logger.debug('due queue poll failed', { error: (err as Error).message });
      }
      arm();
    };
    const arm = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void tick(), this.pollMs * (0.5 + Math.random()));
      this.timer.unref();
    };
    arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
  }
}
