// Debian's Chromium, headless, as the browser tests and benchmarks drive it: a fresh profile
// per run, no background networking, autoplay allowed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const LAUNCH = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--autoplay-policy=no-user-gesture-required', '--no-first-run', '--disable-quic'],
};

/** A browser for several contexts (each a separate viewer: own storage, own cookies); `close()` when done. */
export function launchChromium() {
  return chromium.launch(LAUNCH);
}

/** Opens one tab; `close()` ends the browser and removes its profile. */
export async function openChromium(viewport) {
  const profile = mkdtempSync(join(tmpdir(), 'castpipe-chromium-'));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, { ...LAUNCH, viewport });
  } catch (e) {
    removeProfile();
    throw e;
  }
  const tab = context.pages()[0] ?? await context.newPage();
  return {
    tab,
    close: async () => {
      await context.close().catch(() => {});
      removeProfile();
    },
  };
}
