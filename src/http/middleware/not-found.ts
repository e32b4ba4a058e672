// Unknown routes: JSON 404 in the SPEC §8 envelope, never Express's HTML page.
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../errors.js';

export function notFound() {
  return function notFoundMiddleware(req: Request, _res: Response, next: NextFunction): void {
    next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.path.slice(0, 200)}`));
  };
}
