// Message version negotiation (SPEC §3.2): the highest version the card's range and the server both
// support that is not above the requestor's preferred one; Erro 102 when the preferred version is
// enforced but not available. Statuses a version lacks are mapped down.
import { AppError } from '../../errors.js';
import { mapValue } from './version-values.js';

// Parsed versions, remembered: a handful of distinct strings recur on every authenticate (splitting them
// anew was ~3% of an authenticate worker's CPU, profiled). Bounded, since a client supplies some of them.
const parsed = new Map<string, readonly number[]>();

function parts(v: string): readonly number[] {
  let p = parsed.get(v);
  if (p === undefined) {
    p = v.split('.').map(Number);
    if (parsed.size < 256) parsed.set(v, p);
  }
  return p;
}

/** Numeric comparison of dotted versions ("2.10.0" > "2.2.0"). */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

interface VersionChoice {
  supported: readonly string[];
  rangeStart: string;
  rangeEnd: string;
  preferred?: string;
  enforce: boolean;
}

/** Returns the negotiated version or throws VERSION_NOT_SUPPORTED (Erro 102). */
export function negotiateVersion(c: VersionChoice, ids: { threeDSServerTransID: string }): string {
  const available = c.supported
    .filter((v) => compareVersions(v, c.rangeStart) >= 0 && compareVersions(v, c.rangeEnd) <= 0)
    .sort(compareVersions);
  const fail = (why: string) =>
    new AppError('VERSION_NOT_SUPPORTED', why, ids, { errorMessageType: 'AReq', messageVersion: c.preferred ?? available.at(-1) });
  if (available.length === 0) throw fail(`the card range (${c.rangeStart}–${c.rangeEnd}) shares no version with this server`);
  if (c.preferred === undefined) return available[available.length - 1] as string;
  if (c.enforce && !available.includes(c.preferred)) {
    throw fail(`preferredProtocolVersion ${c.preferred} is enforced but not supported; available: ${available.join(', ')}`);
  }
  const below = available.filter((v) => compareVersions(v, c.preferred as string) <= 0);
  if (below.length === 0) throw fail(`no supported version at or below preferredProtocolVersion ${c.preferred}`);
  return below[below.length - 1] as string;
}

/** Maps a status the negotiated version does not have: 2.1.0 has no D (→ C) and no I (→ Y) (version-values.ts). */
export function statusForVersion(status: string, version: string): string {
  return mapValue('transStatus', status, version);
}
