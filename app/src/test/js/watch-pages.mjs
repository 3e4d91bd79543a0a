// Drives Castpipe's own viewer pages in headless Chromium, as viewers use them:
//  - /videos/{id}: the video plays, the quality menu switches to another rendition, the
//    scrub preview shows a storyboard tile over the seek bar;
//  - /watch/{channel}: a live stream plays (LIVE badge, latency readout, pause and "Back to
//    live"), a signed-in viewer's chat message reaches an anonymous viewer as text; the
//    channel's owner sees moderation buttons on it, times the viewer out (whose next post is
//    refused inline) and deletes the message (gone for the anonymous viewer too); the anonymous
//    viewer's chat WebSocket (routed through this script) is closed at both ends, as when the
//    server goes away, and the panel says it is reconnecting, connects again and gets the
//    owner's next post;
//  - /: the live channel and the video are listed.
// usage: node watch-pages.mjs BASE_URL VIDEO_ID CHANNEL USER_TOKEN OWNER_TOKEN CHAT_TEXT SCREENSHOT_DIR
// prints one JSON line with what it saw; exits non-zero when a step could not be done at all.
import { join } from 'node:path';
import { launchChromium } from './headless-chromium.mjs';

const [base, videoId, channel, userToken, ownerToken, chatText, screenshots] = process.argv.slice(2);
if (!screenshots) {
  console.error('usage: node watch-pages.mjs BASE_URL VIDEO_ID CHANNEL USER_TOKEN OWNER_TOKEN CHAT_TEXT SCREENSHOT_DIR');
  process.exit(2);
}
const WIDE = { width: 1280, height: 800 };

/** Problems the pages reported: console errors (CSP refusals show there), uncaught exceptions. */
const problems = [];
const result = { problems };

async function viewer(browser, name, { token, viewport = WIDE } = {}) {
  const context = await browser.newContext({ viewport });
  if (token) await context.addInitScript((t) => localStorage.setItem('castpipe.token', t), token);
  const tab = await context.newPage();
  tab.on('console', (m) => { if (m.type() === 'error') problems.push(`${name}: ${m.text()} (${m.location().url})`); });
  tab.on('pageerror', (e) => problems.push(`${name}: ${e.message}`));
  return tab;
}

/** Resolves to the page's value once `fn` returns a truthy one; throws with `what` after `ms`. */
async function until(tab, what, fn, arg, ms = 20000) {
  try {
    return await (await tab.waitForFunction(fn, arg, { timeout: ms, polling: 100 })).jsonValue();
  } catch (e) {
    throw new Error(`${what}: not within ${ms} ms (${e.message.split('\n')[0]})`);
  }
}

/** The chat's connection state beside its title: `data-state` (pending, ok, error) and the text shown. */
const connState = (tab) => tab.$eval('.conn-state', (s) => ({ state: s.dataset.state, text: s.textContent }));

const currentTime = (tab) => tab.evaluate(() => document.querySelector('.player video').currentTime);

async function video(browser) {
  const tab = await viewer(browser, 'video page');
  await tab.goto(`${base}/videos/${videoId}`);
  await until(tab, 'VOD playback', () => document.querySelector('.player video')?.currentTime > 0.3);
  const r = result.vod = {};
  r.title = await tab.textContent('h1');
  r.poster = await tab.getAttribute('.player video', 'poster');
  r.qualityOptions = await tab.$$eval('.player select option', (os) => os.map((o) => o.textContent));
  r.playingBefore = await tab.getAttribute('.player', 'data-playing-height');
  // Another rendition than the one playing: the lowest (the menu's last entry), or the highest when that one plays.
  const choice = await tab.$eval('.player select', (s, playing) => {
    const last = s.options[s.options.length - 1];
    const o = last.textContent.startsWith(`${playing}p`) ? s.options[1] : last;
    return { value: o.value, text: o.textContent };
  }, r.playingBefore);
  r.chosen = choice.text;
  await tab.selectOption('.player select', choice.value);
  const switchedAt = await currentTime(tab);
  r.playingAfter = await until(tab, 'the chosen level playing', (height) => {
    const v = document.querySelector('.player video');
    const shown = document.querySelector('.player').dataset.playingHeight;
    return shown === height && v.videoHeight === Number(height) ? shown : null;
  }, r.chosen.split('p')[0]);
  await tab.waitForTimeout(1500);
  r.videoHeight = await tab.$eval('.player video', (v) => v.videoHeight);
  r.advancedAfterSwitch = (await currentTime(tab)) - switchedAt;
  r.readout = await tab.textContent('.player .playing-level');
  // Scrub preview: the pointer over the seek bar's middle.
  await tab.$eval('.player video', (v) => v.pause());
  const bar = await tab.locator('.player .seek').boundingBox();
  await tab.mouse.move(bar.x + bar.width * 0.6, bar.y + bar.height / 2);
  r.preview = await until(tab, 'the scrub preview', () => {
    const p = document.querySelector('.scrub-preview');
    const thumb = p && !p.hidden && p.querySelector('.thumb').style;
    return thumb && thumb.backgroundImage ? { image: thumb.backgroundImage, size: [thumb.width, thumb.height], time: p.textContent } : null;
  }, null, 10000);
  r.spriteLoads = await tab.evaluate((css) => new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img.naturalWidth > 0);
    img.onerror = () => resolve(false);
    img.src = /url\("(.*)"\)/.exec(css)[1];
  }), r.preview.image);
  await tab.screenshot({ path: join(screenshots, 'video.png') });
  await tab.context().close();
}

async function live(browser) {
  const fan = await viewer(browser, 'signed-in viewer', { token: userToken });
  const anon = await viewer(browser, 'anonymous viewer');
  const r = result.live = { partRequests: 0, anonChatSockets: 0 };
  // The anonymous viewer's chat WebSockets pass through here, so that the test can cut one.
  let cutAnonChat;
  await anon.routeWebSocket((url) => url.pathname.startsWith('/chat/'), (ws) => {
    r.anonChatSockets++;
    const server = ws.connectToServer();
    // As a server going away does: its connection ends, and the page's socket is closed.
    cutAnonChat = async () => {
      await server.close({ code: 1001, reason: 'going away' });
      await ws.close({ code: 1001, reason: 'going away' });
    };
  });
  anon.on('request', (req) => { if (/\/part-\d+\.\d+\.m4s/.test(req.url())) r.partRequests++; });
  await Promise.all([fan, anon].map((t) => t.goto(`${base}/watch/${channel}`)));
  await until(anon, 'live playback', () => document.querySelector('.player video')?.currentTime > 0.5, null, 30000);
  const started = await currentTime(anon);
  const latencies = [];
  for (let i = 0; i < 5; i++) {
    await anon.waitForTimeout(1000);
    latencies.push(await anon.textContent('.player .latency'));
  }
  r.latencyReadouts = latencies;
  r.advanced = (await currentTime(anon)) - started;
  r.badge = await anon.isVisible('.player .badge.live') ? await anon.textContent('.player .badge.live') : null;
  // Paused for 4 s the player falls behind; "Back to live" jumps ahead and plays near the edge again.
  const latency = () => anon.evaluate(() => Number.parseFloat(document.querySelector('.player .latency').textContent));
  await anon.$eval('.player video', (v) => v.pause());
  await anon.waitForTimeout(4000);
  r.latencyPaused = await latency();
  const before = await currentTime(anon);
  await anon.click('.player .back-to-live');
  r.backToLiveJump = (await currentTime(anon)) - before;
  await anon.waitForTimeout(1500);
  r.latencyAfterBackToLive = await latency();
  r.pausedAfterBackToLive = await anon.$eval('.player video', (v) => v.paused);

  // Chat: the signed-in viewer writes, the anonymous one reads.
  r.fanChatState = await until(fan, 'the signed-in chat connected',
    () => document.querySelector('.chat #chat-input') && document.querySelector('.conn-state')?.dataset.state === 'ok'
      && document.querySelector('.conn-state').textContent);
  r.anonFooter = await until(anon, 'the read-only chat',
    () => document.querySelector('.conn-state')?.dataset.state === 'ok' && document.querySelector('.chat-footer')?.textContent);
  r.anonHasInput = await anon.isVisible('#chat-input');
  await fan.fill('#chat-input', chatText);
  await fan.press('#chat-input', 'Enter');
  r.anonSaw = await until(anon, 'the message at the anonymous viewer', (text) => {
    const item = [...document.querySelectorAll('.chat .message')].find((li) => li.querySelector('.text').textContent === text);
    return item ? { text: item.querySelector('.text').textContent, user: item.querySelector('.user').textContent,
      elementsInText: item.querySelector('.text').children.length } : null;
  }, chatText).catch(async (e) => {
    throw new Error(`${e.message}; the sender's page said: ${await fan.textContent('.chat-error') || 'nothing'}`);
  });
  r.chatMarkupElements = await anon.$$eval('.chat .messages b, .chat .messages script', (es) => es.length);
  r.fanSaw = await until(fan, 'the message at its sender',
    (text) => [...document.querySelectorAll('.chat .message .text')].some((t) => t.textContent === text), chatText);
  await fan.screenshot({ path: join(screenshots, 'watch.png') });
  const owner = await moderation(browser, fan, anon, r);
  await reconnect(anon, cutAnonChat, owner, r);
  await owner.context().close();

  const narrow = await viewer(browser, 'narrow viewer', { viewport: { width: 420, height: 900 } });
  await narrow.goto(`${base}/watch/${channel}`);
  await until(narrow, 'live playback on a narrow screen', () => document.querySelector('.player video')?.currentTime > 0.3, null, 30000);
  r.narrowStacked = await narrow.evaluate(() => {
    const player = document.querySelector('.player').getBoundingClientRect();
    const chat = document.querySelector('.chat').getBoundingClientRect();
    return chat.top >= player.bottom;
  });
  r.wideSideBySide = await anon.evaluate(() => {
    const player = document.querySelector('.player').getBoundingClientRect();
    const chat = document.querySelector('.chat').getBoundingClientRect();
    return chat.left >= player.right && chat.top < player.bottom;
  });
  await narrow.screenshot({ path: join(screenshots, 'watch-narrow.png'), fullPage: true });
  await Promise.all([fan, anon, narrow].map((t) => t.context().close()));
}

/** The owner times the signed-in viewer out and deletes the message the anonymous viewer has just read; returns the owner's tab. */
async function moderation(browser, fan, anon, r) {
  const owner = await viewer(browser, 'channel owner', { token: ownerToken });
  await owner.goto(`${base}/watch/${channel}`);
  const item = (tab) => tab.locator('.chat .message').filter({ has: tab.locator('.text', { hasText: chatText }) });
  // The chat panel is rendered once the page has loaded the channel: the state may not exist yet.
  await until(owner, 'the owner connected to the chat', () => document.querySelector('.conn-state')?.dataset.state === 'ok');
  await item(owner).waitFor({ timeout: 10000 });
  r.ownerModeration = await owner.textContent('.chat .mod-tools summary');
  r.ownerActions = await item(owner).locator('.actions button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
  r.viewersActions = await Promise.all([fan, anon].map((t) => t.locator('.chat .message .actions').count()));
  const id = await item(owner).getAttribute('data-id');
  r.anonHadMessage = await anon.locator(`.chat .message[data-id="${id}"] .text`).textContent();

  // Time out (the length selected under Moderation, 10 min by default), then the viewer's next post.
  await item(owner).getByRole('button', { name: 'Time out fan' }).click();
  r.fanTimeoutNotice = await until(fan, 'the time-out announced to the viewer',
    () => [...document.querySelectorAll('.chat .announcement')].map((a) => a.textContent).find((t) => t.includes('timed out')));
  const refused = 'Am I still here?';
  await fan.fill('#chat-input', refused);
  await fan.press('#chat-input', 'Enter');
  r.fanRefusal = await until(fan, 'the post refused inline', () => {
    const e = document.querySelector('.chat .chat-error');
    return e && !e.hidden && e.dataset.code ? { code: e.dataset.code, text: e.textContent } : null;
  });
  r.fanInputAfterRefusal = await fan.inputValue('#chat-input');
  r.anonSawRefused = await anon.locator('.chat .message .text', { hasText: refused }).count();

  // Delete: the anonymous viewer's copy goes too.
  await item(owner).getByRole('button', { name: 'Delete message by fan' }).click();
  r.anonAfterDelete = await until(anon, 'the message deleted at the anonymous viewer', (id) => {
    const li = document.querySelector(`.chat .message[data-id="${id}"]`);
    return li?.classList.contains('deleted') ? { text: li.querySelector('.text').textContent } : null;
  }, id, 10000);
  r.anonAfterDelete.originalShown = await anon.locator('.chat .message .text', { hasText: chatText }).count();
  await owner.screenshot({ path: join(screenshots, 'watch-owner.png') });
  return owner;
}

/** Cuts the anonymous viewer's chat connection as a server going away would; the panel comes back by itself. */
async function reconnect(anon, cut, owner, r) {
  r.anonBeforeCut = await connState(anon);
  const socketsBefore = r.anonChatSockets;
  // Every state the panel shows from here, as the page shows it (polling could miss a short one).
  await anon.evaluate(() => {
    const s = document.querySelector('.conn-state');
    window.seenConnStates = [];
    new MutationObserver(() => window.seenConnStates.push({ state: s.dataset.state, text: s.textContent }))
      .observe(s, { attributes: true, childList: true, characterData: true, subtree: true });
  });
  const cutAt = Date.now();
  await cut();
  await until(anon, 'the chat connected again', () => document.querySelector('.conn-state').dataset.state === 'ok'
    && window.seenConnStates.some((s) => s.state === 'error'), null, 10000).catch(async (e) => {
    throw new Error(`${e.message}; the panel showed ${JSON.stringify(await anon.evaluate(() => window.seenConnStates))}`);
  });
  r.reconnectMs = Date.now() - cutAt;
  r.anonConnStates = await anon.evaluate(() => window.seenConnStates.map((s) => `${s.state}: ${s.text}`)
    .filter((s, i, all) => s !== all[i - 1]));
  r.anonNewSockets = r.anonChatSockets - socketsBefore;
  const back = 'Posted after the reconnect';
  await owner.fill('#chat-input', back);
  await owner.press('#chat-input', 'Enter');
  r.anonSawAfterReconnect = await until(anon, 'a message after the reconnect',
    (text) => [...document.querySelectorAll('.chat .message .text')].some((t) => t.textContent === text) && text, back, 10000);
  r.anonOriginalAfterReconnect = await anon.locator('.chat .message .text', { hasText: chatText }).count();
}

async function home(browser) {
  const tab = await viewer(browser, 'home page');
  await tab.goto(`${base}/`);
  const r = result.home = {};
  r.liveLinks = await until(tab, 'the live channel listed',
    () => [...document.querySelectorAll('a[href^="/watch/"]')].map((a) => a.getAttribute('href')).join(' ') || null);
  r.videoLinks = await until(tab, 'the video listed',
    () => [...document.querySelectorAll('a[href^="/videos/"]')].map((a) => a.getAttribute('href')).join(' ') || null);
  r.posterLoaded = await until(tab, 'the poster loaded',
    () => [...document.querySelectorAll('.poster img')].some((i) => i.complete && i.naturalWidth > 0));
  r.liveText = await tab.textContent('a[href^="/watch/"]');
  await tab.screenshot({ path: join(screenshots, 'home.png'), fullPage: true });
  await tab.context().close();
}

let browser;
let exitCode = 0;
try {
  browser = await launchChromium();
  for (const [name, step] of [['vod', video], ['live', live], ['home', home]]) {
    const t0 = Date.now();
    await step(browser);
    result[`${name}Ms`] = Date.now() - t0;
  }
} catch (e) {
  result.failure = String(e.stack ?? e);
  exitCode = 1;
} finally {
  await browser?.close();
}
console.log(JSON.stringify(result));
process.exit(exitCode);
