// /videos/{id}: a video's player, title and description, and a broadcast's chat replay beside
// it. A video still being uploaded or processed shows its status (and progress), checked every
// few seconds, and plays once ready; a failed one shows why.
import { api, el, formatDuration, pathTail } from './castpipe.js';
import { Player } from './player.js';
import { ChatReplay, loadReplay } from './replay.js';

const PROCESSING_POLL_MS = 2000;
const WAITING_POLL_MS = 5000;

const id = pathTail();
const main = document.getElementById('main');
const player = new Player({
  onFatal: (detail) => player.showState(`This video cannot be played (${detail.details}).`, { kind: 'error' }),
});
const title = el('h1', {}, 'Video');
const details = el('p', { class: 'muted' });
const description = el('p', { class: 'description' });
const layout = el('div', { class: 'video-page' }, el('div', { class: 'watch-main' }, player.element, title, details, description));

async function show() {
  let video;
  try {
    video = await api(`/videos/${id}`);
  } catch (e) {
    if (e.status === 404) {
      main.replaceChildren(el('h1', {}, 'No such video'),
        el('p', { class: 'notice error' }, 'This video does not exist or is private. ', el('a', { href: '/' }, 'Back to the home page')));
      return;
    }
    player.showState(`Cannot load this video: ${e.message}. Trying again…`, { kind: 'error' });
    setTimeout(show, WAITING_POLL_MS);
    return;
  }
  document.title = `${video.title} — Castpipe`;
  title.textContent = video.title;
  description.textContent = video.description ?? '';
  details.textContent = [video.durationSeconds ? formatDuration(video.durationSeconds) : null,
    new Date(video.createdAt).toLocaleDateString()].filter(Boolean).join(' · ');
  switch (video.status) {
    case 'ready':
      player.load(video.playbackUrl, { poster: video.posterUrl, storyboardUrl: video.storyboardUrl });
      showReplay(player.video);
      break;
    case 'failed':
      player.showState(`Processing this video failed: ${video.error?.message || 'no reason given'}`, { kind: 'error' });
      break;
    case 'queued':
      player.showState('Waiting for a transcoder to take this video…');
      setTimeout(show, PROCESSING_POLL_MS);
      break;
    case 'processing':
      player.showState(`Processing… ${Math.round((video.progress ?? 0) * 100)} %`, { progress: video.progress ?? 0 });
      setTimeout(show, PROCESSING_POLL_MS);
      break;
    default:
      player.showState('Waiting for the upload to finish…');
      setTimeout(show, WAITING_POLL_MS);
  }
}

async function showReplay(videoElement) {
  const items = await loadReplay(id);
  if (items.length === 0) return;
  layout.className = 'watch';
  layout.append(new ChatReplay(items, videoElement).element);
}

main.replaceChildren(layout);
show();
