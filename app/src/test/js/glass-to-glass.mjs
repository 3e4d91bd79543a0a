// Glass-to-glass latency as a viewer sees it: hls.js in headless Chromium plays each stream in
// turn, and on every sample reads the capture time that the publisher burned into the picture
// (two bands of 32 black/white blocks across the top: the wall clock in ms, modulo 2^32, and
// its complement as a check), then takes now − that time. Works for any HLS server, with or
// without EXT-X-PROGRAM-DATE-TIME; where the playlist has one, now − hls.js playingDate is
// reported beside it.
// usage: [HLS_CONFIG='{"maxLiveSyncPlaybackRate":1.5}'] node glass-to-glass.mjs SECONDS ROUNDS NAME=URL [NAME=URL…]
// prints one JSON line: {"NAME": {"samples", "p50", "p90", "min", "max", "pdtP50", "stalls", "rounds", …}, …}
// where "rounds" has each turn's own figures and when it began (epoch ms), in order
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openChromium } from './headless-chromium.mjs';

const [secondsArg, roundsArg, ...targetArgs] = process.argv.slice(2);
const seconds = Number(secondsArg);
const rounds = Number(roundsArg);
const targets = targetArgs.map(t => ({ name: t.slice(0, t.indexOf('=')), url: t.slice(t.indexOf('=') + 1) }));
if (!(seconds > 0) || !(rounds > 0) || targets.length === 0 || targets.some(t => !t.name || !t.url)) {
  console.error('usage: node glass-to-glass.mjs SECONDS ROUNDS NAME=URL [NAME=URL…]');
  process.exit(2);
}
const warmupMs = Number(process.env.WARMUP_MS ?? 4000);
// hls.js settings for every player (env HLS_CONFIG, JSON); hls.js's defaults when not given.
const hlsConfig = JSON.parse(process.env.HLS_CONFIG ?? '{}');

const hlsJs = readFileSync(fileURLToPath(import.meta.resolve('hls.js/dist/hls.js')));
const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>glass to glass</title></head>
<body style="margin:0;background:#000"><video id="v" muted autoplay playsinline width="640" height="360"></video>
<script src="/hls.js"></script>
<script>
const BITS = 32, W = 320, H = 180;
const canvas = new OffscreenCanvas(W, H);
const ctx = canvas.getContext('2d', { willReadFrequently: true });

// The capture time in the picture: band 1 (rows 0-63 of 720) holds the bits, most
// significant first, band 2 (rows 64-127) their complement; a sample whose bands disagree
// is counted as unreadable, never guessed.
function stampOf(video) {
  ctx.drawImage(video, 0, 0, W, H);
  const img = ctx.getImageData(0, 0, W, Math.ceil(H * 128 / 720)).data;
  const rowA = Math.round(H * 32 / 720), rowB = Math.round(H * 96 / 720);
  let value = 0;
  for (let i = 0; i < BITS; i++) {
    const x = Math.floor((i + 0.5) * W / BITS);
    const a = img[(rowA * W + x) * 4 + 1] > 128, b = img[(rowB * W + x) * 4 + 1] > 128;
    if (a === b) return null;
    value = value * 2 + (a ? 1 : 0);
  }
  return value;
}

window.measure = (url, seconds, warmupMs) => new Promise(resolve => {
  const video = document.getElementById('v');
  const r = { samples: [], pdt: [], unreadable: 0, stalls: 0, fatal: [], levels: [], startedAfterMs: null };
  const hls = new Hls(${JSON.stringify(hlsConfig)});
  const began = performance.now();
  let playing = false, timer = null;
  video.onplaying = () => { if (!playing) { playing = true; r.startedAfterMs = Math.round(performance.now() - began); } };
  video.onwaiting = () => { if (playing) r.stalls++; };
  hls.on(Hls.Events.MANIFEST_PARSED, (e, d) => { r.levels = d.levels.map(l => l.height); video.play().catch(() => {}); });
  hls.on(Hls.Events.ERROR, (e, d) => { if (d.fatal) r.fatal.push(d.type + '/' + d.details); });
  hls.loadSource(url);
  hls.attachMedia(video);
  const finish = () => {
    clearInterval(timer);
    hls.destroy();
    video.removeAttribute('src');
    video.load();
    resolve(r);
  };
  timer = setInterval(() => {
    if (r.fatal.length) return finish();
    if (!playing || performance.now() - began - r.startedAfterMs < warmupMs || video.paused) return;
    const stamp = stampOf(video);
    const now = Date.now();
    if (stamp === null) { r.unreadable++; } else { r.samples.push(((now % 2 ** 32) - stamp + 2 ** 32) % 2 ** 32); }
    if (hls.playingDate) r.pdt.push(now - hls.playingDate.getTime());
  }, 200);
  setTimeout(finish, (seconds * 1000) + warmupMs + 30000);
  const check = setInterval(() => {
    if (r.samples.length + r.unreadable >= seconds * 5) { clearInterval(check); finish(); }
  }, 200);
});
</script></body></html>`;

const server = createServer((req, res) => {
  if (req.url === '/hls.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(hlsJs);
  } else if (req.url === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  } else {
    res.writeHead(404).end();
  }
});
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));

const quantile = (sorted, q) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
const summary = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p90: quantile(s, 0.9), min: s[0] ?? null, max: s[s.length - 1] ?? null };
};

let browser;
let exitCode = 0;
try {
  browser = await openChromium({ width: 640, height: 360 });
  const tab = browser.tab;
  tab.on('pageerror', e => console.error('page error:', e.message));
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  const all = Object.fromEntries(targets.map(t => [t.name, { samples: [], pdt: [], unreadable: 0, stalls: 0, fatal: [], starts: [], rounds: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const t of targets) {
      const at = Date.now();
      const r = await tab.evaluate(([url, s, w]) => window.measure(url, s, w), [t.url, seconds, warmupMs]);
      const a = all[t.name];
      a.rounds.push({ at, samples: r.samples.length, ...summary(r.samples), stalls: r.stalls });
      a.samples.push(...r.samples);
      a.pdt.push(...r.pdt);
      a.unreadable += r.unreadable;
      a.stalls += r.stalls;
      a.fatal.push(...r.fatal);
      a.starts.push(r.startedAfterMs);
      a.levels = r.levels;
      console.error(`${t.name} round ${round + 1}: ${r.samples.length} samples, p50 ${summary(r.samples).p50} ms`);
    }
  }
  const out = {};
  for (const [name, a] of Object.entries(all)) {
    const pdt = summary(a.pdt);
    out[name] = { samples: a.samples.length, ...summary(a.samples), pdtP50: pdt.p50, pdtP90: pdt.p90,
      unreadable: a.unreadable, stalls: a.stalls, fatal: a.fatal, startMs: a.starts, levels: a.levels, rounds: a.rounds };
    if (a.samples.length === 0) exitCode = 1;
  }
  console.log(JSON.stringify(out));
} catch (e) {
  console.error(`glass-to-glass failed: ${e.stack ?? e}`);
  exitCode = 1;
} finally {
  await browser?.close();
  server.close();
}
process.exit(exitCode);
