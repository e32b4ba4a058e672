// The QA console's browser-flow runner (SPEC §17): this page plays the merchant for one card — /3ds/version,
// the 3DS Method in a hidden frame, /3ds/authenticate, the ACS page in a frame of the chosen challenge window,
// /3ds/final — and lists each step. One run at a time: a new run, the Stop button or signing out stops it.
import { errorText, flow } from './api.js';
import { browserAReq, NOTIFY_PATH } from './browser-areq.js';
import { base64url, byId, el, fromBase64url, pretty } from './dom.js';
import { type CardRow, type Json, state } from './state.js';

const METHOD_WAIT_MS = 10_000;
const DECOUPLED_WAIT_MS = 30_000;
/** challengeWindowSize → the frame's width × height; 05 takes the width of its box. */
const WINDOW: Record<string, [number, number]> = { '01': [250, 400], '02': [390, 400], '03': [500, 600], '04': [600, 400] };

interface Run {
  ctl: AbortController;
  /** This run's list of steps: a run that was stopped writes into its own, detached, list. */
  steps: HTMLElement;
  cleanup: (() => void)[];
}

let current: Run | undefined;
let runCount = 0;

export function stopRun(why?: string): void {
  if (!current) return;
  if (why) runStep(current, why, { bad: true });
  current.ctl.abort();
  for (const c of current.cleanup) c();
  current = undefined;
  byId('challenge-box').replaceChildren();
  byId('challenge-box').hidden = true;
  byId('method-box').replaceChildren();
}

function runStep(run: Run, text: string, opts: { bad?: boolean; json?: unknown } = {}): void {
  const li = el('li', { ...(opts.bad && { cls: 'bad' }), text });
  if (opts.json !== undefined) li.append(el('pre', { text: pretty(opts.json) }));
  run.steps.append(li);
}

/** The next message of kind `kind` from a notification page this run framed; rejects on abort or after `ms`. */
function notification(run: Run, kind: string, frame: HTMLIFrameElement, ms?: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let timer: number | undefined;
    // Ends this wait's listeners (the run's abort listener included) however it settles.
    const listening = new AbortController();
    const done = () => {
      window.removeEventListener('message', onMessage);
      listening.abort();
      if (timer !== undefined) window.clearTimeout(timer);
    };
    const onMessage = (ev: MessageEvent) => {
      const d = ev.data as { source?: string; kind?: string; fields?: Record<string, string> } | null;
      if (
        ev.origin !== window.location.origin ||
        ev.source !== frame.contentWindow ||
        d?.source !== 'm3ds-console-notify' ||
        d.kind !== kind
      )
        return;
      done();
      resolve(d.fields ?? {});
    };
    window.addEventListener('message', onMessage);
    run.ctl.signal.addEventListener(
      'abort',
      () => {
        done();
        reject(new DOMException('stopped', 'AbortError'));
      },
      { once: true, signal: listening.signal },
    );
    if (ms !== undefined)
      timer = window.setTimeout(() => {
        done();
        reject(new Error('timeout'));
      }, ms);
  });
}

/** POSTs form fields into a frame (the way a merchant page opens the 3DS Method and the ACS page). */
function postInto(frame: HTMLIFrameElement, action: string, fields: Record<string, string>): void {
  const form = el('form', { attrs: { method: 'post', action, target: frame.name } });
  for (const [name, value] of Object.entries(fields)) form.append(el('input', { attrs: { type: 'hidden', name, value } }));
  byId('method-box').append(form);
  form.submit();
  form.remove();
}

async function runMethod(run: Run, url: string, id: string): Promise<boolean> {
  const frame = el('iframe', {
    attrs: { name: `m3ds-method-${runCount}`, title: '3DS Method (hidden)', 'aria-hidden': 'true', tabindex: '-1' },
  });
  byId('method-box').append(frame);
  const data = base64url(
    JSON.stringify({ threeDSServerTransID: id, threeDSMethodNotificationURL: `${window.location.origin}${NOTIFY_PATH}` }),
  );
  const arrived = notification(run, 'method', frame, METHOD_WAIT_MS);
  postInto(frame, url, { threeDSMethodData: data });
  try {
    await arrived;
    return true;
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    return false;
  } finally {
    frame.remove();
  }
}

async function showFinal(run: Run, id: string, waitMs = 0): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const f = await flow('/3ds/final', { threeDSServerTransID: id }, run.ctl.signal);
    if (f.status === 200 || Date.now() >= deadline) {
      if (current !== run) return;
      byId('run-final').textContent = pretty(f.body);
      byId('run-outcome').textContent =
        f.status === 200
          ? `Final outcome: transStatus ${String(f.body.transStatus)}${f.body.eci ? ` · eci ${String(f.body.eci)}` : ''}`
          : `No final outcome (HTTP ${f.status}): ${errorText(f.body)}`;
      byId('run-outcome').dataset.status = f.status === 200 ? String(f.body.transStatus) : '';
      runStep(run, `/3ds/final → ${f.status === 200 ? `transStatus ${String(f.body.transStatus)}` : `HTTP ${f.status}`}`, {
        bad: f.status !== 200,
      });
      return;
    }
    await new Promise((r) => window.setTimeout(r, 1000));
  }
}

export async function runBrowserFlow(pan: string, row?: CardRow): Promise<void> {
  stopRun();
  runCount += 1;
  const steps = el('ol', { cls: 'steps', attrs: { id: 'run-steps', 'aria-live': 'polite' } });
  byId('run-steps').replaceWith(steps);
  const run: Run = { ctl: new AbortController(), steps, cleanup: [] };
  current = run;
  byId('run-idle').hidden = true;
  byId('run-box').hidden = false;
  byId('run-final').textContent = '';
  byId('run-outcome').textContent = '';
  byId('run-outcome').dataset.status = '';
  byId('run-h').textContent = `Browser flow · ${pan.slice(0, 6)}…${pan.slice(-4)}${row?.name ? ` (${row.name})` : ''}`;
  byId('run-h').focus();
  try {
    const v = await flow('/3ds/version', { cardNumber: pan }, run.ctl.signal);
    if (v.status !== 200) return runStep(run, `/3ds/version → HTTP ${v.status}: ${errorText(v.body)}`, { bad: true });
    const id = String(v.body.threeDSServerTransID);
    state.lastRunId = id;
    const range = (v.body.cardRanges as Json[] | undefined)?.[0];
    runStep(run, `/3ds/version → ${id}${range ? '' : ' (the card is in no range: not enrolled)'}`);
    let compInd = 'U';
    const methodURL = range?.threeDSMethodURL;
    if (typeof methodURL === 'string') {
      runStep(run, '3DS Method: posting threeDSMethodData into a hidden frame…');
      compInd = (await runMethod(run, methodURL, id)) ? 'Y' : 'N';
      runStep(
        run,
        compInd === 'Y' ? '3DS Method completed: threeDSCompInd Y' : '3DS Method did not report back within 10 s: threeDSCompInd N',
        {
          bad: compInd !== 'Y',
        },
      );
    }
    const a = await flow('/3ds/authenticate', browserAReq(pan, id, compInd, row), run.ctl.signal);
    if (a.status !== 200) {
      runStep(run, `/3ds/authenticate → HTTP ${a.status}: ${errorText(a.body)}`, { bad: true, json: a.body });
      return await showFinal(run, id);
    }
    const ares = (a.body.authenticationResponse ?? {}) as Json;
    const status = String(a.body.transStatus);
    runStep(run, `ARes: transStatus ${status}${ares.transStatusReason ? ` · reason ${String(ares.transStatusReason)}` : ''}`);
    if (status === 'C') {
      const acsURL = a.body.acsURL;
      if (typeof acsURL !== 'string') {
        runStep(run, 'A challenge without acsURL (a broken card): a merchant cannot show it', { bad: true });
        return await showFinal(run, id);
      }
      const creq =
        typeof a.body.base64EncodedChallengeRequest === 'string'
          ? a.body.base64EncodedChallengeRequest
          : base64url(JSON.stringify(a.body.challengeRequest ?? {}));
      const cres = await challenge(run, acsURL, creq);
      runStep(run, `CRes: transStatus ${String(cres.transStatus)}`, { json: cres });
      return await showFinal(run, id);
    }
    if (status === 'D') {
      runStep(run, 'Decoupled: the issuer authenticates out of band; waiting for the results…');
      return await showFinal(run, id, DECOUPLED_WAIT_MS);
    }
    await showFinal(run, id);
  } catch (e) {
    // A stopped run (the Stop button, or another run) says nothing more: the list may be the next run's.
    if ((e as Error).name !== 'AbortError' && current === run) runStep(run, `Failed: ${(e as Error).message}`, { bad: true });
  } finally {
    if (current === run) {
      byId('challenge-box').hidden = true;
      byId('challenge-box').replaceChildren();
      current = undefined;
    }
  }
}

/** The ACS page in a frame of the chosen challenge window; resolves with the decoded final CRes. */
async function challenge(run: Run, acsURL: string, creq: string): Promise<Json> {
  const size = byId<HTMLSelectElement>('o-size').value;
  const box = byId('challenge-box');
  box.hidden = false;
  const [w, h] = WINDOW[size] ?? [Math.max(250, box.clientWidth - 20), 600];
  const frame = el('iframe', {
    attrs: { name: `m3ds-acs-${runCount}`, title: `ACS challenge page (window ${size})`, width: String(w), height: String(h) },
  });
  box.replaceChildren(el('p', { cls: 'hint', text: `challengeWindowSize ${size}: ${w} × ${h}` }), frame);
  runStep(run, `Challenge: the ACS page in a ${w} × ${h} frame (window ${size}); answer it there`);
  const session = base64url(`console-run-${runCount}`);
  const arrived = notification(run, 'cres', frame);
  postInto(frame, acsURL, { creq, threeDSSessionData: session });
  const fields = await arrived;
  if (fields.threeDSSessionData !== undefined && fields.threeDSSessionData !== session)
    runStep(run, 'threeDSSessionData came back changed', { bad: true });
  if (fields.cres === undefined) return { transStatus: fields.transStatus };
  try {
    return JSON.parse(fromBase64url(fields.cres)) as Json;
  } catch {
    return { unreadable: fields.cres.slice(0, 200) };
  }
}
