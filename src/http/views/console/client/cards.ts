// The QA console's test-cards tab (SPEC §17): the configured card table with each row's outcome in words
// and a Run button per card with a number (the browser flow, runner.ts), and the app runner's card choice.
import { byId, el } from './dom.js';
import { runBrowserFlow } from './runner.js';
import { type Json, state } from './state.js';

/** A scenario's outcome in words (the card table, the overrides). */
export function outcomeOf(s: Json): string {
  const parts = [String(s.transStatus ?? '')];
  if (s.reason) parts.push(`reason ${String(s.reason)}`);
  if (s.challenge) parts.push(`challenge: ${String(s.challenge)}`);
  if (s.decoupled) parts.push('decoupled');
  if (s.threeDSMethod) parts.push('3DS Method');
  if (s.slow) parts.push('slow');
  if (s.challengeIndRule) parts.push(String(s.challengeIndRule));
  const ds = s.dsError as Json | undefined;
  if (ds) parts.push(`Erro ${String(ds.errorCode)} (${String(ds.errorComponent)})`);
  if (s.broken) parts.push(`broken: ${String(s.broken)}`);
  return parts.join(' · ');
}

export function renderCards(): void {
  const body = byId('cards-body');
  body.replaceChildren(
    ...state.scenarios.map((c) => {
      const run = el('button', {
        text: 'Run',
        attrs: { type: 'button', 'aria-label': `Run card ${c.cardNumber ?? c.key}${c.name ? ` (${c.name})` : ''}` },
      });
      if (c.cardNumber) run.addEventListener('click', () => void runBrowserFlow(c.cardNumber as string, c));
      else run.disabled = true;
      return el(
        'tr',
        { attrs: { 'data-key': c.key } },
        el('td', { cls: 'mono', text: c.cardNumber ?? '(no range)' }),
        el('td', { cls: 'mono', text: c.key }),
        el('td', { text: c.name ?? '' }),
        el('td', { text: outcomeOf(c.scenario) }),
        el('td', {}, run),
      );
    }),
  );
  const pick = byId<HTMLSelectElement>('a-card');
  pick.replaceChildren(
    ...state.scenarios
      .filter((c) => c.cardNumber)
      .map((c) => el('option', { text: `${c.cardNumber} · ${c.name ?? c.key}`, attrs: { value: c.cardNumber as string } })),
  );
  const challenge = state.scenarios.find((c) => c.scenario.challenge === 'text' && !c.scenario.broken && !c.scenario.threeDSMethod);
  if (challenge?.cardNumber) pick.value = challenge.cardNumber;
}
