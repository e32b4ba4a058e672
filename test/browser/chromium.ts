// Debian's Chromium driven by playwright-core: Playwright's own browser download cannot work on these
// machines (no network but the package registries), so tests use /usr/bin/chromium from apt.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const INSTALL_HINT = 'apt-get update && apt-get install -y chromium';

// Without the background-networking flags Chromium keeps dialling Google's hosts, which this closed
// network refuses. Playwright adds --headless and a fresh temporary --user-data-dir itself.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 30_000 });
}
