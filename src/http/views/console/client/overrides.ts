// The QA console's overrides tab (SPEC §17): which scenario a card (its number or its last 4 digits)
// follows instead of its configured one — set, removed one by one or all at once — and the reset that
// forgets every transaction and override, armed by a first press.
import { admin } from './api.js';
import { outcomeOf } from './cards.js';
import { byId, clock, el } from './dom.js';
import { type Json, state } from './state.js';
import { refreshList } from './transactions.js';

export function renderScenarioChoices(): void {
  const select = byId<HTMLSelectElement>('ov-scenario');
  select.replaceChildren(
    ...state.scenarios.map((c) =>
      el('option', { text: `${c.name ?? c.key} (${c.key}: ${outcomeOf(c.scenario)})`, attrs: { value: c.key, 'data-name': c.name ?? '' } }),
    ),
  );
}

export async function refreshOverrides(): Promise<void> {
  if (!state.signedIn) return;
  let out: { overrides: { key: string; scenario: Json; setBy?: string; setAt?: string }[] };
  try {
    out = (await admin('GET', '/__admin/overrides')) as typeof out;
  } catch (e) {
    byId('ov-state').textContent = `The overrides could not be loaded: ${(e as Error).message}`;
    return;
  }
  byId('ov-body').replaceChildren(
    ...out.overrides.map((o) => {
      const remove = el('button', {
        cls: 'link',
        text: 'Remove',
        attrs: { type: 'button', 'aria-label': `Remove the override of ${o.key}` },
      });
      remove.addEventListener('click', () => void removeOverride(o.key));
      const s = o.scenario;
      return el(
        'tr',
        { attrs: { 'data-key': o.key } },
        el('td', { cls: 'mono', text: o.key }),
        el('td', { text: `${s.name ? `${String(s.name)} · ` : ''}${outcomeOf(s)}` }),
        el('td', { text: o.setBy ?? '' }),
        el('td', { cls: 'mono', text: clock(o.setAt) }),
        el('td', {}, remove),
      );
    }),
  );
  byId('ov-empty').hidden = out.overrides.length > 0;
}

export async function setOverride(ev: SubmitEvent): Promise<void> {
  ev.preventDefault();
  const key = byId<HTMLInputElement>('ov-key').value.trim();
  const scenario = byId<HTMLSelectElement>('ov-scenario').value;
  const message = byId('ov-state');
  if (!/^([0-9]{4}|[0-9]{13,19})$/.test(key)) {
    message.textContent = 'The card is a full card number (13 to 19 digits) or its last 4 digits.';
    byId('ov-key').focus();
    return;
  }
  try {
    const out = (await admin('PUT', `/__admin/overrides/${key}`, { scenario })) as { previous?: unknown };
    message.textContent = `${key} now follows ${scenario}${out.previous ? ' (it replaced the previous override)' : ''}.`;
  } catch (e) {
    message.textContent = `Not set: ${(e as Error).message}`;
  }
  await refreshOverrides();
}

async function removeOverride(key: string): Promise<void> {
  const message = byId('ov-state');
  try {
    await admin('DELETE', `/__admin/overrides/${key}`);
    message.textContent = `The override of ${key} is removed.`;
  } catch (e) {
    message.textContent = `Not removed: ${(e as Error).message}`;
  }
  await refreshOverrides();
  byId('ov-key').focus();
}

export async function clearOverrides(): Promise<void> {
  try {
    const out = (await admin('DELETE', '/__admin/overrides')) as { removed: number };
    byId('ov-state').textContent = `${out.removed} override${out.removed === 1 ? '' : 's'} removed.`;
  } catch (e) {
    byId('ov-state').textContent = `Not removed: ${(e as Error).message}`;
  }
  await refreshOverrides();
}

/** The reset asks twice: the first press arms the button, a second within 5 s resets. */
let armed: number | undefined;
export async function reset(): Promise<void> {
  const button = byId('reset');
  if (armed === undefined) {
    button.classList.add('armed');
    button.textContent = 'Press again to reset';
    armed = window.setTimeout(() => disarm(), 5000);
    return;
  }
  disarm();
  try {
    const out = (await admin('POST', '/__admin/reset')) as { overridesRemoved: number; transactionsForgotten: number };
    byId('ov-state').textContent = `Reset: ${out.transactionsForgotten} transactions forgotten, ${out.overridesRemoved} overrides removed.`;
  } catch (e) {
    byId('ov-state').textContent = `Not reset: ${(e as Error).message}`;
  }
  await Promise.all([refreshOverrides(), refreshList()]);
}

function disarm(): void {
  if (armed !== undefined) window.clearTimeout(armed);
  armed = undefined;
  const button = byId('reset');
  button.classList.remove('armed');
  button.textContent = 'Reset: forget transactions and overrides';
}
