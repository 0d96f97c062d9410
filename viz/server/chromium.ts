// Launches Debian's chromium (never a downloaded browser) through playwright-core, for the
// visualizer's browser tests and its load benchmark.

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser; SAMSA_CHROMIUM overrides it. */
export function chromiumPath(): string {
  return process.env.SAMSA_CHROMIUM ?? '/usr/bin/chromium';
}

export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath());
}

/**
 * Flags for a closed network: without the background-networking ones chromium keeps dialling
 * Google's hosts and gets refused. Playwright gives each launch a fresh profile directory.
 */
const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`no chromium at ${executablePath}: install Debian's package (apt-get install chromium) or set SAMSA_CHROMIUM`);
  }
  return chromium.launch({ executablePath, headless: true, args: QUIET_FLAGS });
}
