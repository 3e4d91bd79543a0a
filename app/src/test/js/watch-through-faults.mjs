// Watches /watch/{channel} in headless Chromium as one viewer leaves it open: the live player
// and the read-only chat panel, sampled every second until its standard input is closed, while the
// test kills the processes behind the page.
// usage: node watch-through-faults.mjs BASE_URL CHANNEL
// prints "watching" once the video plays, then, once its input is closed, one JSON line:
//   {"played","longestStall","stalls","jumps","chat","chatStates","problems"}
// played: seconds of video the player advanced, at most 1.5 s a second (jumps: the seeks
// ahead beyond that, as to the live edge or into a new stream); longestStall: the longest wall-clock span in
// which it did not advance; chat: the texts of every chat message the panel showed; chatStates:
// the connection states the panel went through (ok, pending, error), in order, repeats removed.
import { openChromium } from './headless-chromium.mjs';

const [base, channel] = process.argv.slice(2);
if (!channel) {
  console.error('usage: node watch-through-faults.mjs BASE_URL CHANNEL');
  process.exit(2);
}

const result = { played: 0, longestStall: 0, stalls: 0, jumps: 0, chat: [], chatStates: [], problems: [] };
const browser = await openChromium({ width: 1280, height: 800 });
const { tab } = browser;
tab.on('pageerror', (e) => result.problems.push(e.message));

// Not a signal: Playwright closes the browser itself on SIGTERM, SIGINT and SIGHUP.
let stopping = false;
process.stdin.on('end', () => { stopping = true; });
process.stdin.resume();

await tab.goto(`${base}/watch/${channel}`);
await tab.waitForFunction(() => document.querySelector('.player video')?.currentTime > 0.3, null,
  { timeout: 60000, polling: 200 });
console.log('watching');

let last = null;
last = await sample();
let stalledSince = null;
while (!stopping) {
  await tab.waitForTimeout(1000);
  const now = await sample().catch(() => null);
  if (!now) continue;
  const advanced = now.time - last.time;
  const wall = (now.at - last.at) / 1000;
  if (advanced > 0) {
    // A seek ahead (back to the live edge, a new stream) is not time played.
    if (advanced > 1.5 * wall) result.jumps++;
    result.played += Math.min(advanced, 1.5 * wall);
    if (stalledSince !== null) {
      result.longestStall = Math.max(result.longestStall, (now.at - stalledSince) / 1000);
      stalledSince = null;
    }
  } else if (stalledSince === null) {
    stalledSince = last.at;
    result.stalls++;
  }
  if (result.chatStates.at(-1) !== now.chatState) result.chatStates.push(now.chatState);
  for (const text of now.chat) if (!result.chat.includes(text)) result.chat.push(text);
  last = now;
}
if (stalledSince !== null) result.longestStall = Math.max(result.longestStall, (Date.now() - stalledSince) / 1000);
// What the test said last may reach this page a moment after the test's own connection: one more look.
await tab.waitForTimeout(1000);
const lastLook = await sample().catch(() => null);
if (lastLook) for (const text of lastLook.chat) if (!result.chat.includes(text)) result.chat.push(text);
console.log(JSON.stringify(result));
await browser.close();

/** The player's position (a new stream's player starts again from 0: counted from there) and the chat panel. */
async function sample() {
  const s = await tab.evaluate(() => ({
    time: document.querySelector('.player video')?.currentTime ?? 0,
    chatState: document.querySelector('.conn-state')?.dataset.state ?? 'none',
    chat: [...document.querySelectorAll('.chat .message .text')].map((t) => t.textContent),
  }));
  s.at = Date.now();
  if (last && s.time < last.time) last.time = 0;
  return s;
}
