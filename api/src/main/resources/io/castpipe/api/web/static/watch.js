// /watch/{channel}: the channel's live player with its chat beside it. While the channel is
// offline the page says so and checks every few seconds, starting to play when it goes live.
import { api, el, pathTail } from './castpipe.js';
import { Player } from './player.js';
import { ChatPanel } from './chat.js';

const OFFLINE_POLL_MS = 5000;
const RETRY_MS = 2000;

const name = pathTail();
const main = document.getElementById('main');

async function start() {
  let channel;
  try {
    channel = await api(`/channels/${encodeURIComponent(name)}`, { token: null });
  } catch (e) {
    main.replaceChildren(el('h1', {}, e.status === 404 ? 'No such channel' : 'This channel cannot be shown'),
      el('p', { class: 'notice error' }, e.status === 404 ? `There is no channel named “${name}”. ` : `${e.message}. `,
        el('a', { href: '/' }, 'Back to the home page')));
    return;
  }
  document.title = `${channel.title || channel.name} — Castpipe`;
  const since = el('span', { class: 'muted' });
  let timer;
  const check = (delay) => {
    clearTimeout(timer);
    timer = setTimeout(() => checkLive(), delay);
  };
  const player = new Player({
    live: true,
    lowLatency: channel.latency === 'low',
    onFatal: () => {
      player.showState('The stream was interrupted; trying again…');
      check(RETRY_MS);
    },
    onEnded: () => {
      player.stop();
      player.showState('The stream has ended.');
      check(OFFLINE_POLL_MS);
    },
  });
  async function checkLive() {
    const stream = await api('/live', { token: null }).then((all) => all.find((s) => s.channel === name), () => null);
    if (stream) {
      since.textContent = `Live since ${new Date(stream.startedAt).toLocaleTimeString()}`;
      player.load(channel.playbackUrl);
    } else {
      player.stop();
      since.textContent = 'Offline';
      player.showState(stream === undefined
        ? `${channel.title || channel.name} is offline. Playback starts here when the stream begins.`
        : 'Cannot reach the server; trying again…');
      check(OFFLINE_POLL_MS);
    }
  }
  const chat = new ChatPanel({ channel: channel.name, chatUrl: channel.chatUrl });
  main.replaceChildren(el('div', { class: 'watch' },
    el('div', { class: 'watch-main' }, player.element,
      el('h1', {}, channel.title || channel.name), el('p', { class: 'channel-line' }, el('span', {}, channel.name), ' · ', since)),
    chat.element));
  chat.start();
  checkLive();
}

start();
