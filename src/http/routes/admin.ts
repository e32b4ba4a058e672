// Admin operations for containers, where sending SIGHUP is awkward: POST /admin/reload does what SIGHUP
// does. Only with the configured bearer token; without one the routes do not exist (404).
import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { AppError } from '../../errors.js';
import type { AppDeps } from '../deps.js';

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function adminRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/admin', (req, _res, next) => {
    const token = deps.config().security.adminToken;
    if (!token) return next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.originalUrl.slice(0, 200)}`));
    const auth = req.headers.authorization ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!tokenMatches(given, token)) return next(new AppError('UNAUTHORIZED', 'a valid Bearer token is required'));
    next();
  });
  r.post('/admin/reload', async (_req, res) => {
    if (!deps.rpc) throw new AppError('SYSTEM_FAILURE', 'reload needs the primary process');
    const out = await deps.rpc.call('config.reload', {}, 120_000);
    if (!out.ok) throw new AppError('CONFIG_REJECTED', (out.errors ?? []).join('; '));
    res.json({ status: 'reloaded', changed: out.changed, restarted: out.restarted });
  });
  return r;
}
