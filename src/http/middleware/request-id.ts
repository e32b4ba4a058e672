// Takes X-Request-ID from the client (when sane) or makes one, and returns it on the response.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    startedAt: bigint;
  }
}

export function requestId() {
  return function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
    req.startedAt = process.hrtime.bigint();
    res.setHeader('X-Request-ID', req.id);
    next();
  };
}
