// The QA console in the browser (SPEC §17): asks for the admin token (kept in sessionStorage, sent as a
// Bearer token to /__admin only), then shows the live list of transactions (polled every 2 s), the
// timeline of one, the test-card table whose buttons run a card's browser flow with this page playing
// the merchant, the app-flow runner, and the overrides editor. DOM calls and textContent only: nothing
// from the server is ever parsed as HTML. This module signs in and out and wires the page; each tab's
// work is in its own module (transactions.ts, cards.ts and runner.ts, app-flow.ts, overrides.ts).
import { admin, forgetToken, HttpError, keepToken, onTokenRefused, token } from './api.js';
import { runAppFlow } from './app-flow.js';
import { renderCards } from './cards.js';
import { byId } from './dom.js';
import { clearOverrides, refreshOverrides, renderScenarioChoices, reset, setOverride } from './overrides.js';
import { runBrowserFlow, stopRun } from './runner.js';
import { type CardRow, state } from './state.js';
import { selectTab, TABS, tabKeys, whenShown } from './tabs.js';
import { openTransaction, refreshList, schedulePoll } from './transactions.js';

async function signIn(given: string): Promise<void> {
  const err = byId('login-error');
  err.textContent = '';
  try {
    const out = (await admin('GET', '/__admin/scenarios', undefined, given)) as { scenarios: CardRow[] };
    keepToken(given);
    state.scenarios = out.scenarios;
  } catch (e) {
    forgetToken();
    const status = e instanceof HttpError ? e.status : 0;
    err.textContent =
      status === 401
        ? 'That token is not accepted.'
        : status === 404
          ? 'This server serves no admin API (production without a token).'
          : `The admin API did not answer: ${(e as Error).message}`;
    byId('login').hidden = false;
    byId('app').hidden = true;
    return;
  }
  state.signedIn = true;
  byId('login').hidden = true;
  byId('app').hidden = false;
  byId('who').hidden = false;
  byId('who-name').textContent = 'Token accepted';
  renderCards();
  renderScenarioChoices();
  await Promise.all([refreshList(), refreshOverrides()]);
  schedulePoll();
  byId('tab-transactions').focus();
}

function signOut(message = ''): void {
  state.signedIn = false;
  forgetToken();
  if (state.pollTimer !== undefined) window.clearTimeout(state.pollTimer);
  stopRun();
  byId('app').hidden = true;
  byId('who').hidden = true;
  byId('login').hidden = false;
  byId('login-error').textContent = message;
  byId<HTMLInputElement>('token').value = '';
  byId('token').focus();
}

function start(): void {
  // Before anything can call the admin API or show a tab.
  onTokenRefused(signOut);
  whenShown('overrides', () => void refreshOverrides());
  byId<HTMLFormElement>('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void signIn(byId<HTMLInputElement>('token').value.trim());
  });
  byId('signout').addEventListener('click', () => signOut());
  for (const t of TABS) byId(`tab-${t}`).addEventListener('click', () => selectTab(t));
  byId('tab-transactions').parentElement?.addEventListener('keydown', tabKeys);

  const filters = byId<HTMLFormElement>('filters');
  filters.addEventListener('submit', (ev) => ev.preventDefault());
  filters.addEventListener('change', () => void refreshList());
  filters.addEventListener('input', () => void refreshList());
  filters.addEventListener('reset', () => window.setTimeout(() => void refreshList(), 0));
  byId('detail-refresh').addEventListener('click', () => state.selected && void openTransaction(state.selected, false));
  const openAll = (open: boolean) => {
    for (const d of byId('timeline').querySelectorAll('details')) d.open = open;
  };
  byId('detail-expand').addEventListener('click', () => openAll(true));
  byId('detail-collapse').addEventListener('click', () => openAll(false));

  byId<HTMLFormElement>('run-options').addEventListener('submit', (ev) => ev.preventDefault());
  byId<HTMLFormElement>('run-pan').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const pan = byId<HTMLInputElement>('o-pan').value.trim();
    if (/^[0-9]{13,19}$/.test(pan))
      void runBrowserFlow(
        pan,
        state.scenarios.find((c) => c.cardNumber === pan),
      );
    else byId('o-pan').focus();
  });
  byId('run-stop').addEventListener('click', () => stopRun('Stopped: the console no longer waits for this flow.'));
  byId('run-open').addEventListener('click', () => {
    if (state.lastRunId) void openTransaction(state.lastRunId, true);
  });

  byId<HTMLFormElement>('app-form').addEventListener('submit', (ev) => void runAppFlow(ev));
  byId<HTMLFormElement>('ov-form').addEventListener('submit', (ev) => void setOverride(ev));
  byId('ov-clear').addEventListener('click', () => void clearOverrides());
  byId('reset').addEventListener('click', () => void reset());
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.signedIn) void refreshList();
  });

  const saved = token();
  if (saved) void signIn(saved);
  else byId('token').focus();
}

start();
