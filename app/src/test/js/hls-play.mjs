// Plays an HLS URL with hls.js in headless Chromium, as a viewer's browser does, and reports
// whether playback moved on: the page and hls.js are served by this script (no CDN), the
// video is muted and autoplays.
// usage: node hls-play.mjs URL SECONDS [--low-latency] [--fall-behind]
// --fall-behind: halfway, the viewer is put 6 s further behind (as after a long stall), to see
// the player take itself back to the live edge.
// prints one JSON line: {"levels","startTime","endTime","advanced","stalls","fatalErrors",
//                        "latencySeconds", "jumpsToLive", ...}; exits non-zero when playback never starts.
// env SCREENSHOT=file.png saves a screenshot of the page at the end.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openChromium } from './headless-chromium.mjs';

const [url, secondsArg, ...flags] = process.argv.slice(2);
const seconds = Number(secondsArg);
if (!url || !(seconds > 0)) {
  console.error('usage: node hls-play.mjs URL SECONDS [--low-latency] [--fall-behind]');
  process.exit(2);
}
const lowLatency = flags.includes('--low-latency');
const fallBehind = flags.includes('--fall-behind');
const startLimitMs = Number(process.env.START_TIMEOUT_MS ?? 30000);

const hlsJs = readFileSync(fileURLToPath(import.meta.resolve('hls.js/dist/hls.js')));
const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>hls.js player</title>
<style>body{margin:0;background:#000}video{width:100vw;height:100vh}</style></head>
<body><video id="v" muted autoplay playsinline></video>
<script src="/hls.js"></script>
<script>
const s = window.__stats = { levels: [], waiting: 0, playing: false, fatalErrors: [], errors: [],
  firstPlaying: null, mse: { h264: MediaSource.isTypeSupported('video/mp4; codecs="avc1.64001f,mp4a.40.2"') } };
const video = document.getElementById('v');
video.addEventListener('playing', () => { if (!s.playing) { s.playing = true; s.firstPlaying = performance.now(); } });
// A stall is a wait while playing, not the wait for the data at a position just jumped to.
// Each stall is kept with when it began (seconds after playback started) and how long it lasted.
s.stallList = [];
video.addEventListener('waiting', () => {
  if (s.playing && performance.now() - (s.lastJumpAt ?? -1e9) > 3000 && !s.stallSince) {
    s.waiting++;
    s.stallSince = performance.now();
  }
});
video.addEventListener('playing', () => {
  if (s.stallSince) {
    s.stallList.push({ at: (s.stallSince - s.firstPlaying) / 1000, seconds: (performance.now() - s.stallSince) / 1000 });
    s.stallSince = null;
  }
});
if (!Hls.isSupported()) {
  s.fatalErrors.push('Hls.isSupported() is false');
} else {
  // In low-latency mode the player catches up as the watch page's does: hls.js plays up to 1.5x
  // when less than a segment behind its target latency, and further behind (as a stall or a busy
  // machine makes it), where hls.js does not play faster, it is taken back to the live edge.
  const hls = window.__hls = new Hls({ lowLatencyMode: ${lowLatency}, maxLiveSyncPlaybackRate: ${lowLatency ? 1.5 : 1} });
  if (${lowLatency}) {
    let lastJump = 0;
    setInterval(() => {
      if (hls.latency > (hls.targetLatency ?? 0) + 3 && !video.paused && Date.now() - lastJump > 10000
          && Number.isFinite(hls.liveSyncPosition)) {
        lastJump = Date.now();
        s.lastJumpAt = performance.now();
        s.jumpsToLive = (s.jumpsToLive ?? 0) + 1;
        video.currentTime = hls.liveSyncPosition;
      }
    }, 1000);
  }
  hls.on(Hls.Events.MANIFEST_PARSED, (e, d) => { s.levels = d.levels.map(l => l.height); video.play().catch(() => {}); });
  hls.on(Hls.Events.ERROR, (e, d) => {
    const what = d.type + '/' + d.details + (d.response && d.response.code ? ' ' + d.response.code : '');
    if (d.fatal) s.fatalErrors.push(what); else s.errors.push(what);
  });
  hls.loadSource(${JSON.stringify(url)});
  hls.attachMedia(video);
}
</script></body></html>`;

const server = createServer((req, res) => {
  if (req.url === '/hls.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(hlsJs);
  } else if (req.url === '/' || req.url.startsWith('/?')) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  } else {
    res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();
  }
});
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));

let browser;
let exitCode = 0;
try {
  browser = await openChromium({ width: 1280, height: 720 });
  const tab = browser.tab;
  tab.on('console', m => { if (m.type() === 'error') console.error('page:', m.text()); });
  tab.on('pageerror', e => console.error('page error:', e.message));
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);

  const started = await tab.waitForFunction(() => window.__stats.playing || window.__stats.fatalErrors.length > 0,
    null, { timeout: startLimitMs, polling: 100 }).then(() => true, () => false);
  const early = await tab.evaluate(() => window.__stats);
  if (!started || !early.playing) {
    console.error(`playback of ${url} did not start within ${startLimitMs} ms: ` + JSON.stringify(early));
    exitCode = 1;
  } else {
    const startTime = await tab.evaluate(() => document.getElementById('v').currentTime);
    if (fallBehind) {
      await tab.waitForTimeout(seconds * 500);
      await tab.evaluate(() => {
        window.__stats.lastJumpAt = performance.now();
        window.__stats.latencyBeforeFall = window.__hls.latency;
        document.getElementById('v').currentTime -= 6;
      });
      await tab.waitForTimeout(seconds * 500);
    } else {
      await tab.waitForTimeout(seconds * 1000);
    }
    const r = await tab.evaluate(() => {
      const v = document.getElementById('v');
      const hls = window.__hls;
      const date = hls.playingDate;
      return {
        ...window.__stats,
        endTime: v.currentTime,
        paused: v.paused,
        videoSize: [v.videoWidth, v.videoHeight],
        currentLevelHeight: hls.currentLevel >= 0 ? hls.levels[hls.currentLevel].height : null,
        latencySeconds: date ? (Date.now() - date.getTime()) / 1000 : null,
        hlsLatency: hls.levels.some(l => l.details && l.details.live) && Number.isFinite(hls.latency) ? hls.latency : null,
        hlsTargetLatency: hls.targetLatency,
        live: hls.levels.some(l => l.details && l.details.live),
      };
    });
    if (process.env.SCREENSHOT) {
      await tab.screenshot({ path: process.env.SCREENSHOT });
    }
    console.log(JSON.stringify({
      levels: r.levels, startTime, endTime: r.endTime, advanced: r.endTime - startTime, stalls: r.waiting,
      fatalErrors: r.fatalErrors, latencySeconds: r.latencySeconds, hlsLatencySeconds: r.hlsLatency,
      hlsTargetLatencySeconds: r.hlsTargetLatency,
      live: r.live, paused: r.paused, videoSize: r.videoSize, currentLevelHeight: r.currentLevelHeight,
      nonFatalErrors: r.errors.slice(0, 20), h264Supported: r.mse.h264, jumpsToLive: r.jumpsToLive ?? 0,
      latencyBeforeFall: r.latencyBeforeFall ?? null,
      stallList: r.stallList.concat(r.stallSince ? [{ at: (r.stallSince - r.firstPlaying) / 1000, seconds: null }] : []),
    }));
  }
} catch (e) {
  console.error(`hls-play failed: ${e.stack ?? e}`);
  exitCode = 1;
} finally {
  await browser?.close();
  server.close();
}
process.exit(exitCode);
