// /: who is live now (with viewer counts) and the latest public videos, each linking to its page.
import { api, el, formatDuration } from './castpipe.js';

const LIVE_REFRESH_MS = 15000;
const VIDEOS_SHOWN = 24;

const liveList = el('ul', { class: 'grid', 'aria-label': 'Live channels' });
const videoList = el('ul', { class: 'grid', 'aria-label': 'Latest videos' });
document.getElementById('main').replaceChildren(
  el('h1', {}, 'Live now'), liveList,
  el('h2', {}, 'Latest videos'), videoList);

function emptyState(list, text) {
  list.replaceChildren(el('li', { class: 'notice empty' }, text));
}

async function showLive() {
  try {
    const streams = await api('/live', { token: null });
    if (streams.length === 0) emptyState(liveList, 'Nobody is live right now.');
    else liveList.replaceChildren(...streams.map(liveCard));
  } catch (e) {
    emptyState(liveList, `Cannot load the live channels: ${e.message}.`);
  }
  setTimeout(showLive, LIVE_REFRESH_MS);
}

function liveCard(s) {
  const watching = s.viewers === 1 ? '1 viewer' : `${s.viewers} viewers`;
  return el('li', { class: 'card' }, el('a', { href: `/watch/${encodeURIComponent(s.channel)}` },
    el('div', { class: 'thumb live-thumb' }, el('span', { class: 'badge live' }, 'LIVE')),
    el('div', { class: 'body' }, el('strong', {}, s.channel), el('br'),
      el('span', { class: 'muted' }, `${watching} · since ${new Date(s.startedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`))));
}

async function showVideos() {
  try {
    const page = await api(`/videos?limit=${VIDEOS_SHOWN}`, { token: null });
    const ready = page.items.filter((v) => v.status === 'ready');
    if (ready.length === 0) emptyState(videoList, 'No videos yet.');
    else videoList.replaceChildren(...ready.map(videoCard));
  } catch (e) {
    emptyState(videoList, `Cannot load the videos: ${e.message}.`);
  }
}

function videoCard(v) {
  return el('li', { class: 'card' }, el('a', { href: `/videos/${encodeURIComponent(v.id)}` },
    el('div', { class: 'poster' },
      v.posterUrl ? el('img', { src: v.posterUrl, alt: '', loading: 'lazy' }) : el('div', { class: 'thumb' }),
      v.durationSeconds ? el('span', { class: 'duration' }, formatDuration(v.durationSeconds)) : null),
    el('div', { class: 'body' }, el('strong', {}, v.title), el('br'),
      el('span', { class: 'muted' }, new Date(v.createdAt).toLocaleDateString()))));
}

showLive();
showVideos();
