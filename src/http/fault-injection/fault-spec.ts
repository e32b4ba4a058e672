// What a fault is, where it comes from (the `faults.rules` of the configuration, or a test client's
// X-Mock-* headers) and how a delay is drawn. Pure functions, so the middleware stays a thin adapter.
import type { Config } from '../../config/index.js';

export type FaultRule = Config['faults']['rules'][number];
export type DelaySpec = NonNullable<FaultRule['delay']>;

/** What to do to one request. */
export interface Fault {
  delayMs: number;
  error?: { status: number; errorCode: string } | undefined;
  drop: boolean;
}

export const NO_FAULT: Fault = Object.freeze({ delayMs: 0, drop: false });

/** Draws a delay in ms (uniform in [min, max]; lognormal with the given median and sigma of ln). */
export function sampleDelay(d: DelaySpec, random: () => number = Math.random): number {
  if (d.kind === 'fixed') return d.ms;
  if (d.kind === 'uniform') return d.min + (d.max - d.min) * random();
  // Box-Muller: one standard normal draw from two uniforms (1 - u keeps log away from 0).
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return d.median * Math.exp(d.sigma * z);
}

export class FaultHeaderError extends Error {}

/** `250`, `fixed:250`, `uniform:100-300` or `lognormal:200,0.5`. */
export function parseDelayHeader(v: string): DelaySpec {
  const s = v.trim().toLowerCase();
  let m = /^(?:fixed:)?(\d+(?:\.\d+)?)$/.exec(s);
  if (m) return { kind: 'fixed', ms: Number(m[1]) };
  m = /^uniform:(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(s);
  if (m && Number(m[1]) <= Number(m[2])) return { kind: 'uniform', min: Number(m[1]), max: Number(m[2]) };
  m = /^lognormal:(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(s);
  if (m && Number(m[2]) <= 10) return { kind: 'lognormal', median: Number(m[1]), sigma: Number(m[2]) };
  throw new FaultHeaderError(`X-Mock-Delay "${v.slice(0, 40)}" is not ms, uniform:min-max or lognormal:median,sigma`);
}

/** `503` or `503:405` (HTTP status 400..599, EMVCo error code; 405 system failure by default). */
export function parseErrorHeader(v: string): { status: number; errorCode: string } {
  const m = /^\s*([45]\d\d)(?::(\d{3}))?\s*$/.exec(v);
  if (!m) throw new FaultHeaderError(`X-Mock-Error "${v.slice(0, 40)}" is not status or status:errorCode`);
  return { status: Number(m[1]), errorCode: m[2] ?? '405' };
}

function parseDropHeader(v: string): boolean {
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw new FaultHeaderError(`X-Mock-Drop "${v.slice(0, 40)}" is not true or false`);
}

type Headers = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The fault a request's X-Mock-* headers ask for, or undefined when it carries none. Throws FaultHeaderError. */
export function faultFromHeaders(h: Headers, maxDelayMs: number, random?: () => number): Fault | undefined {
  const delay = one(h['x-mock-delay']);
  const error = one(h['x-mock-error']);
  const drop = one(h['x-mock-drop']);
  if (delay === undefined && error === undefined && drop === undefined) return undefined;
  return {
    delayMs: delay === undefined ? 0 : Math.min(maxDelayMs, sampleDelay(parseDelayHeader(delay), random)),
    error: error === undefined ? undefined : parseErrorHeader(error),
    drop: drop === undefined ? false : parseDropHeader(drop),
  };
}

export interface CompiledRule {
  matches(method: string, path: string): boolean;
  rule: FaultRule;
}

/** `/3ds/authenticate` exact, `/3ds/:step` one segment per parameter, `/processor/*` a prefix. */
export function compileRoute(route: string): (path: string) => boolean {
  if (route.endsWith('*')) {
    const prefix = route.slice(0, -1);
    return (p) => p.startsWith(prefix);
  }
  if (!route.includes('/:')) return (p) => p === route;
  const parts = route.split('/');
  return (p) => {
    const got = p.split('/');
    return got.length === parts.length && parts.every((x, i) => (x.startsWith(':') ? (got[i] as string).length > 0 : x === got[i]));
  };
}

export function compileRules(rules: readonly FaultRule[]): CompiledRule[] {
  return rules.map((rule) => {
    const pathMatches = compileRoute(rule.route);
    const method = rule.method?.toUpperCase();
    return { rule, matches: (m, p) => (method === undefined || method === m) && pathMatches(p) };
  });
}

/**
 * The fault the rules give one request: every matching rule fires on its own probability; delays of
 * the rules that fire add up (capped), the first error wins, any drop drops.
 */
export function faultFromRules(
  rules: readonly CompiledRule[],
  method: string,
  path: string,
  maxDelayMs: number,
  random: () => number = Math.random,
): Fault {
  let fault: Fault | undefined;
  for (const { rule, matches } of rules) {
    if (!matches(method, path)) continue;
    if (random() >= (rule.probability ?? 1)) continue;
    fault ??= { delayMs: 0, drop: false };
    if (rule.delay) fault.delayMs += sampleDelay(rule.delay, random);
    if (rule.error && !fault.error) fault.error = { status: rule.error.status, errorCode: rule.error.errorCode ?? '405' };
    if (rule.drop) fault.drop = true;
  }
  if (!fault) return NO_FAULT;
  fault.delayMs = Math.min(maxDelayMs, fault.delayMs);
  return fault;
}
