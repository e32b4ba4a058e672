// PLACEHOLDER until the protocol routes land (owned by the protocol work; overwrite freely).
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function acsRoutes(_deps: AppDeps): Router {
  return Router();
}
