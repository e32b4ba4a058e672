// The QA console's app-flow tab (SPEC §17): runs one app flow on the server, which plays the 3DS SDK
// (POST /__admin/app-flow), and shows every message it exchanged and the final outcome.
import { admin, errorText } from './api.js';
import { byId, clock, el, pretty } from './dom.js';
import type { Json } from './state.js';
import { describe } from './transactions.js';

export async function runAppFlow(ev: SubmitEvent): Promise<void> {
  ev.preventDefault();
  const state = byId('app-state');
  const pan = byId<HTMLInputElement>('a-pan').value.trim() || byId<HTMLSelectElement>('a-card').value;
  const body = {
    cardNumber: pan,
    answer: byId<HTMLInputElement>('a-answer').value,
    cancel: byId<HTMLInputElement>('a-cancel').checked,
    messageVersion: byId<HTMLSelectElement>('a-version').value,
    enc: byId<HTMLSelectElement>('a-enc').value,
  };
  state.textContent = `Running the app flow of ${pan.slice(0, 6)}…${pan.slice(-4)}…`;
  byId('app-steps').replaceChildren();
  byId('app-outcome').textContent = '';
  byId('app-final').textContent = '';
  let out: { threeDSServerTransID: string; transStatus?: string; challengeStatus?: string; steps: Json[]; final: Json };
  try {
    out = (await admin('POST', '/__admin/app-flow', body)) as typeof out;
  } catch (e) {
    state.textContent = `The app flow could not run: ${(e as Error).message}`;
    return;
  }
  state.textContent = `Transaction ${out.threeDSServerTransID}: ${out.steps.length} steps.`;
  byId('app-steps').replaceChildren(
    ...out.steps.map((s) => {
      const kind = String(s.kind);
      return el(
        'li',
        { attrs: { 'data-kind': kind } },
        el(
          'div',
          { cls: 'head' },
          el('span', { cls: 'kind', text: kind }),
          el('span', { cls: 'when', text: clock(s.time as string) }),
          el('span', { cls: 'note', text: [s.note, describe(kind, s.message as Json | undefined)].filter(Boolean).join(' · ') }),
        ),
        ...(s.message === undefined
          ? []
          : [el('details', {}, el('summary', { text: `${kind} message` }), el('pre', { text: pretty(s.message) }))]),
      );
    }),
  );
  const f = out.final;
  byId('app-outcome').textContent =
    typeof f?.transStatus === 'string'
      ? `Final outcome: transStatus ${f.transStatus}${f.eci ? ` · eci ${String(f.eci)}` : ''}`
      : `No final outcome: ${errorText(f)}`;
  byId('app-final').textContent = pretty(f);
}
