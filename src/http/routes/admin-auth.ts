// The Bearer tokens of the admin surfaces (SPEC §11, §17), shared by /admin and /__admin. Tokens have
// names: security.adminToken is the token named "admin", security.adminTokens adds named ones; the name
// of the token a request used is what the audit log records (res.locals.adminName). In development with
// no token configured, /__admin (and the console) accept the one the primary generated and printed in its
// ready line, named "console"; with no token at all a guarded surface does not exist (404).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Config } from '../../config/index.js';
import { AppError } from '../../errors.js';
import { GENERATED_TOKEN_ENV } from '../../ipc.js';
import type { AppDeps } from '../deps.js';

/** [name, token] of every configured token. */
export function configuredTokens(c: Config): [string, string][] {
  const out: [string, string][] = [];
  if (c.security.adminToken) out.push(['admin', c.security.adminToken]);
  for (const [name, token] of Object.entries(c.security.adminTokens)) out.push([name, token]);
  return out;
}

/** The tokens a surface accepts now; the generated one only where it may stand in (development, none configured). */
export function acceptedTokens(deps: AppDeps, allowGenerated: boolean): [string, string][] {
  const c = deps.config();
  const configured = configuredTokens(c);
  if (configured.length > 0 || !allowGenerated || c.env !== 'development') return configured;
  const generated = deps.generatedAdminToken ?? process.env[GENERATED_TOKEN_ENV];
  return generated ? [['console', generated]] : [];
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The name of the token `given` is, compared in constant time against every token; undefined when none. */
export function tokenName(given: string, tokens: readonly [string, string][]): string | undefined {
  const g = digest(given);
  let found: string | undefined;
  for (const [name, token] of tokens) if (timingSafeEqual(g, digest(token)) && found === undefined) found = name;
  return found;
}

/** Guards every route under `prefix`: 404 without any accepted token, 401 without a right one. */
export function adminGuard(deps: AppDeps, prefix: string, allowGenerated: boolean): RequestHandler {
  return function adminGuardMiddleware(req, res, next) {
    const tokens = acceptedTokens(deps, allowGenerated);
    if (tokens.length === 0) return next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.originalUrl.slice(0, 200)}`));
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const name = m ? tokenName(m[1] as string, tokens) : undefined;
    if (name === undefined) {
      res.setHeader('WWW-Authenticate', `Bearer realm="${prefix}"`);
      return next(new AppError('UNAUTHORIZED', 'a valid Bearer token is required'));
    }
    res.locals.adminName = name;
    next();
  };
}
