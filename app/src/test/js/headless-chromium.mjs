// Debian's Chromium, headless, as the browser tests and benchmarks drive it: a fresh profile
// per run, no background networking, autoplay of muted video allowed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** Opens one tab; `close()` ends the browser and removes its profile. */
export async function openChromium(viewport) {
  const profile = mkdtempSync(join(tmpdir(), 'castpipe-chromium-'));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      viewport,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--autoplay-policy=no-user-gesture-required', '--no-first-run', '--disable-quic'],
    });
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
