// Turns a protocol ACS result into the HTTP answer: the challenge page, an auto-POST page, or a 302.
import type { Response } from 'express';
import type { AcsResult } from '../../protocol/index.js';
import { autoPostPage } from './auto-post-page.js';
import { challengePage } from './challenge-page.js';
import { originsOf, sendPage } from './page.js';

export function sendAcsResult(res: Response, result: AcsResult): void {
  switch (result.type) {
    case 'challenge':
      sendPage(res, challengePage(result.view), result.view.formOrigins);
      return;
    case 'post':
      sendPage(res, autoPostPage(result.action, result.fields), originsOf([result.action]));
      return;
    case 'redirect':
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(302, result.location);
      return;
  }
}
