// The QA console's tabs (SPEC §17): transactions, test cards, app flow, overrides; the arrow keys, Home
// and End move between them. A tab that reloads what it shows when shown says so through whenShown.
import { byId } from './dom.js';

export const TABS = ['transactions', 'cards', 'app', 'overrides'];

const onShow = new Map<string, () => void>();

/** What to do each time tab `name` is shown (the overrides tab reloads its list). */
export function whenShown(name: string, fn: () => void): void {
  onShow.set(name, fn);
}

export function selectTab(name: string, focus = false): void {
  for (const t of TABS) {
    const tab = byId(`tab-${t}`);
    const on = t === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    byId(`panel-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  onShow.get(name)?.();
}

export function tabKeys(ev: KeyboardEvent): void {
  const current = TABS.findIndex((t) => byId(`tab-${t}`).getAttribute('aria-selected') === 'true');
  const next: Record<string, number> = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: TABS.length - 1 };
  const i = next[ev.key];
  if (i === undefined) return;
  ev.preventDefault();
  selectTab(TABS[(i + TABS.length) % TABS.length] as string, true);
}
