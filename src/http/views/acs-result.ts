// Turns a protocol ACS result into the HTTP answer: the challenge page, an auto-POST page, or a 302.
import type { AcsResult } from '../../protocol/flows/browser-challenge/browser-challenge.js';
import type { Exchange } from '../exchange.js';
import { redirect } from '../reply.js';
import { autoPostPage } from './auto-post-page.js';
import { challengePage } from './challenge-page.js';
import { originsOf, sendPage } from './page.js';

export function sendAcsResult(ex: Exchange, result: Exclude<AcsResult, { type: 'no-answer' }>): void {
  switch (result.type) {
    case 'challenge':
      sendPage(ex, challengePage(result.view), result.view.formOrigins);
      return;
    case 'post':
      sendPage(ex, autoPostPage(result.action, result.fields), originsOf([result.action]));
      return;
    case 'redirect':
      redirect(ex, result.location, { 'Cache-Control': 'no-store' });
      return;
  }
}
