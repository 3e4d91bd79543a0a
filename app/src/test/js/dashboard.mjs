// Drives the channel dashboard (/dashboard) in headless Chromium as a streamer would: signs in
// with the admin token and creates a user, creates a low-latency channel, reads, reveals and
// rotates its stream key and reads the OBS settings; optionally publishes with ffmpeg over RTMP
// with keyframes too far apart and waits for the live health panel to show figures and the
// warning; uploads a file through the page's file input (tus), reloads the page partway and
// resumes it to 100 % across a dropped connection; cancels a second upload; waits for the first
// video to be ready in the list, plays its playbackUrl with the page's hls.js, and signs out.
// usage: node dashboard.mjs BASE_URL ADMIN_TOKEN CLIP [FFMPEG]
// prints one JSON line with what it saw; on failure {"failed": step, "error"} and exit 1.
// env SCREENSHOTS=dir saves dashboard-signed-out.png, -channel.png, -live-health.png, -upload.png,
// -videos.png (and -failed-STEP.png).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { openChromium } from './headless-chromium.mjs';

const [base, adminToken, clip, ffmpeg] = process.argv.slice(2);
if (!base || !adminToken || !clip) {
  console.error('usage: node dashboard.mjs BASE_URL ADMIN_TOKEN CLIP [FFMPEG]');
  process.exit(2);
}
const shots = process.env.SCREENSHOTS;
const channel = 'dash-live';
const result = { steps: {} };
let step = 'start';
let publisher = null;
let exitCode = 0;

const browser = await openChromium({ width: 1280, height: 900 });
const tab = browser.tab;
// Exceptions the page's scripts did not catch, and what the console reported as errors.
const scriptErrors = [];
const consoleErrors = [];
tab.on('pageerror', (e) => scriptErrors.push(e.message));
tab.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
tab.on('dialog', (d) => { result.dialogs = (result.dialogs ?? 0) + 1; d.accept(); });

/** Runs one named part, timing it; a failure names the part it happened in. */
async function part(name, body) {
  step = name;
  const started = Date.now();
  await body();
  result.steps[name] = (Date.now() - started) / 1000;
}

async function screenshot(name) {
  if (shots) await tab.screenshot({ path: join(shots, `dashboard-${name}`), fullPage: true });
}

const card = tab.locator(`article[data-channel="${channel}"]`);
const key = card.locator(`#channel-${channel}-key`);

try {
  await part('signIn', async () => {
    await tab.goto(`${base}/dashboard`);
    await tab.locator('#token').waitFor();
    await screenshot('signed-out.png');
    await tab.fill('#token', 'not-a-token');
    await tab.click('#sign-in-form button[type=submit]');
    await tab.locator('#sign-in-error').waitFor();
    result.badTokenError = await tab.locator('#sign-in-error').innerText();
    await tab.fill('#token', adminToken);
    await tab.press('#token', 'Enter');
    await tab.fill('#user-name', 'streamer');
    await tab.click('#new-user-form button[type=submit]');
    await tab.locator('#sign-out').waitFor();
    result.account = await tab.locator('#account').innerText();
    result.savedTokenIsUsers = await tab.evaluate((admin) => {
      const t = localStorage.getItem('castpipe.token');
      return !!t && t !== admin;
    }, adminToken);
  });

  await part('channel', async () => {
    await tab.fill('#channel-name', channel);
    await tab.fill('#channel-title', 'Dashboard live');
    await tab.check('input[name=latency][value=low]');
    await tab.click('#new-channel button[type=submit]');
    await card.waitFor();
    result.keyHiddenAtFirst = (await key.getAttribute('type')) === 'password';
    await card.getByRole('button', { name: 'Show' }).click();
    result.keyShown = (await key.getAttribute('type')) === 'text';
    result.streamKey = await key.inputValue();
    result.obs = Object.fromEntries(await card.locator('dl.obs > dt').evaluateAll((dts) =>
      dts.filter((dt) => dt.textContent !== 'Stream Key')
        .map((dt) => [dt.textContent, dt.nextElementSibling.firstElementChild.textContent])));
    await card.getByRole('button', { name: 'Rotate key…' }).click();
    await tab.waitForFunction(([sel, old]) => document.querySelector(sel).value !== old,
      [`#channel-${channel}-key`, result.streamKey], { timeout: 10000 });
    result.rotatedKey = await key.inputValue();
    result.watchLink = await card.getByRole('link', { name: 'Watch page' }).getAttribute('href');
    await screenshot('channel.png');
  });

  if (ffmpeg) {
    await part('liveHealth', async () => {
      // Keyframes every 3 s: ingest warns, as they do not fit its 1 s live segments.
      publisher = spawn(ffmpeg, ['-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
        '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '40', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '90',
        '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', `${result.obs.Server}/${result.rotatedKey}`], { stdio: 'ignore' });
      await card.locator('.health .badge.live').waitFor({ timeout: 20000 });
      await card.locator('.health li.warning[data-code=keyframe_interval]').waitFor({ timeout: 30000 });
      await card.locator('.health .figure', { hasText: 'x264' }).waitFor({ timeout: 15000 });
      result.health = Object.fromEntries(await card.locator('.health dl.figures .figure').evaluateAll((fs) =>
        fs.map((f) => [f.querySelector('dt').textContent, f.querySelector('dd').textContent])));
      result.healthWarning = await card.locator('.health li.warning').first().innerText();
      await card.scrollIntoViewIfNeeded();
      await screenshot('live-health.png');
      publisher.kill('SIGTERM');
    });
  }

  await part('upload', async () => {
    // The first chunk goes through; the second is held back (as by a dead network) and the
    // page is reloaded: choosing the file again resumes at the server's offset.
    const offsets = [];
    tab.on('request', (r) => { if (r.method() === 'PATCH') offsets.push(Number(r.headers()['upload-offset'])); });
    let held = null;
    let holding;
    const secondHeld = new Promise((resolve) => { holding = resolve; });
    let reloaded = false;
    let dropped = false;
    let patches = 0;
    await tab.route('**/api/uploads/*', (route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      if (!reloaded) {
        if (++patches === 1) return route.continue();
        held = route;
        return holding();
      }
      if (dropped) return route.continue();
      // After the reload, the first attempt's connection fails too: the page asks for the offset and goes on.
      dropped = true;
      return route.abort('connectionreset');
    });
    await tab.setInputFiles('#upload-file', clip);
    await tab.fill('#upload-title', 'Dashboard upload');
    const firstChunk = tab.waitForResponse((r) => r.request().method() === 'PATCH' && r.status() === 204, { timeout: 30000 });
    await tab.click('#upload-form button[type=submit]');
    await firstChunk;
    await secondHeld;
    result.progressBeforeReload = await tab.locator('.upload-figures').innerText();
    reloaded = true;
    await tab.reload();
    held.abort().catch(() => {});
    result.offsetsBeforeReload = offsets.splice(0);

    await tab.setInputFiles('#upload-file', clip);
    result.resumeHint = await tab.locator('#upload-hint').innerText();
    result.resumeButton = await tab.locator('#upload-form button[type=submit]').innerText();
    const started = Date.now();
    await tab.click('#upload-form button[type=submit]');
    await tab.locator('#upload-form .notice.ok').waitFor({ timeout: 60000 });
    result.resumeSeconds = (Date.now() - started) / 1000;
    result.offsetsAfterReload = offsets.slice();
    result.progressText = await tab.locator('.upload-figures').innerText();
    result.progressValue = await tab.locator('#upload-progress').evaluate((p) => p.value);
    await tab.unrouteAll({ behavior: 'ignoreErrors' });
    await tab.locator('#upload-progress').scrollIntoViewIfNeeded();
    await screenshot('upload.png');
  });

  await part('cancel', async () => {
    // A second upload of the same file, held after its first chunk and cancelled: the upload
    // and the video it made are gone.
    let patches = 0;
    await tab.route('**/api/uploads/*', (route) => (route.request().method() === 'PATCH' && ++patches > 1
      ? route.abort('connectionreset').catch(() => {}) : route.continue()));
    await tab.setInputFiles('#upload-file', clip);
    await tab.fill('#upload-title', 'Cancelled upload');
    const created = tab.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/uploads'));
    const firstChunk = tab.waitForResponse((r) => r.request().method() === 'PATCH' && r.status() === 204);
    await tab.click('#upload-form button[type=submit]');
    const response = await created;
    await firstChunk;
    const videoId = await response.headerValue('castpipe-video-id');
    const uploadUrl = new URL(await response.headerValue('location')).pathname;
    await tab.getByRole('button', { name: 'Cancel upload' }).click();
    await tab.locator('#upload-form .notice.ok', { hasText: 'cancelled' }).waitFor({ timeout: 15000 });
    await tab.unrouteAll({ behavior: 'ignoreErrors' });
    result.cancelled = await tab.evaluate(async ([id, url]) => {
      const auth = { Authorization: `Bearer ${localStorage.getItem('castpipe.token')}` };
      const video = await fetch(`/api/videos/${id}`, { headers: auth });
      const upload = await fetch(url, { method: 'HEAD', headers: { ...auth, 'Tus-Resumable': '1.0.0' } });
      return { videoStatus: video.status, uploadStatus: upload.status,
        listed: !!document.querySelector(`li.video[data-id="${id}"]`) };
    }, [videoId, uploadUrl]);
  });

  await part('ready', async () => {
    const row = tab.locator('li.video', { hasText: 'Dashboard upload' });
    await row.waitFor({ timeout: 10000 });
    result.videoId = await row.getAttribute('data-id');
    result.statusesSeen = [];
    const deadline = Date.now() + 120000;
    for (;;) {
      const status = await row.getAttribute('data-status');
      if (result.statusesSeen[result.statusesSeen.length - 1] !== status) result.statusesSeen.push(status);
      if (status === 'ready' || status === 'failed' || Date.now() > deadline) break;
      await tab.waitForTimeout(250);
    }
    result.videoRow = await row.innerText();
    result.videoLink = await row.locator('a').getAttribute('href').catch(() => null);
    await screenshot('videos.png');
  });

  await part('play', async () => {
    await tab.addScriptTag({ url: '/static/vendor/hls.js/hls.min.js' });
    result.playback = await tab.evaluate(async (id) => {
      const video = await fetch(`/api/videos/${id}`, {
        headers: { Authorization: `Bearer ${localStorage.getItem('castpipe.token')}` },
      }).then((r) => r.json());
      const player = document.createElement('video');
      player.muted = true;
      document.body.append(player);
      const hls = new window.Hls();
      const fatal = [];
      hls.on(window.Hls.Events.ERROR, (e, d) => { if (d.fatal) fatal.push(d.details); });
      hls.on(window.Hls.Events.MANIFEST_PARSED, () => player.play().catch((e) => fatal.push(String(e))));
      hls.loadSource(video.playbackUrl);
      hls.attachMedia(player);
      const deadline = performance.now() + 20000;
      while (player.currentTime < 2 && fatal.length === 0 && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const out = { playbackUrl: video.playbackUrl, currentTime: player.currentTime, fatal, levels: hls.levels.map((l) => l.height) };
      hls.destroy();
      player.remove();
      return out;
    }, result.videoId);
  });

  await part('signOut', async () => {
    await tab.click('#sign-out');
    await tab.locator('#token').waitFor();
    result.tokenAfterSignOut = await tab.evaluate(() => localStorage.getItem('castpipe.token'));
  });

  console.log(JSON.stringify({ ...result, scriptErrors, consoleErrors }));
} catch (e) {
  await screenshot(`failed-${step}.png`).catch(() => {});
  console.log(JSON.stringify({ ...result, failed: step, error: String(e.stack ?? e), scriptErrors, consoleErrors }));
  exitCode = 1;
} finally {
  publisher?.kill('SIGKILL');
  await browser.close();
}
process.exit(exitCode);
