// Admin operations for containers, where sending SIGHUP is awkward: POST /admin/reload does what SIGHUP
// does. Only with a configured bearer token (admin-auth.ts; never the generated development one);
// without one the routes do not exist (404).
import { Router } from 'express';
import { AppError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import { adminGuard } from './admin-auth.js';

export function adminRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/admin', adminGuard(deps, '/admin', false));
  r.post('/admin/reload', async (_req, res) => {
    deps.logger.info('admin change', { by: res.locals.adminName as string, action: 'reload' });
    if (!deps.rpc) throw new AppError('SYSTEM_FAILURE', 'reload needs the primary process');
    const out = await deps.rpc.call('config.reload', {}, 120_000);
    if (!out.ok) throw new AppError('CONFIG_REJECTED', (out.errors ?? []).join('; '));
    res.json({ status: 'reloaded', changed: out.changed, restarted: out.restarted });
  });
  return r;
}
