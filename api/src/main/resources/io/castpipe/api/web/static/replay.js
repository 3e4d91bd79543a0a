// A past broadcast's chat beside its recording: the messages sent up to the player's position,
// following it as it plays and seeks (GET /api/videos/{id}/chat).
import { api, el, formatDuration } from './castpipe.js';

/** More than a long broadcast's chat in a page; the rest is not loaded. */
const MAX_PAGES = 20;

/** Resolves to the video's chat, oldest first, or [] when it has none (an upload) or it cannot be read. */
export async function loadReplay(videoId) {
  const items = [];
  let from = 0;
  for (let page = 0; page < MAX_PAGES && from !== undefined; page++) {
    const answer = await api(`/videos/${videoId}/chat?from=${from}`).catch(() => null);
    if (!answer) break;
    items.push(...answer.items);
    from = answer.nextFrom;
  }
  return items;
}

export class ChatReplay {
  constructor(items, video) {
    this.items = items;
    this.video = video;
    this.log = el('ol', { class: 'messages', 'aria-label': 'Chat messages up to this point of the video' });
    this.hint = el('p', { class: 'replay-hint muted' }, 'Messages show here as the video reaches the moment they were sent.');
    this.element = el('aside', { class: 'chat replay', 'aria-label': 'Chat replay' },
      el('div', { class: 'chat-head' }, el('h2', {}, 'Chat replay'),
        el('span', { class: 'muted' }, items.length === 1 ? '1 message' : `${items.length} messages`)),
      this.hint, this.log);
    for (const event of ['timeupdate', 'seeked']) video.addEventListener(event, () => this.follow());
  }

  /** Shows the messages sent before the current time: adds the new ones, or takes back those after a seek back. */
  follow() {
    const t = this.video.currentTime;
    let shown = this.log.children.length;
    const due = countUpTo(this.items, t);
    this.hint.hidden = due > 0;
    if (due === shown) return;
    while (shown > due) {
      this.log.lastElementChild.remove();
      shown--;
    }
    this.log.append(...this.items.slice(shown, due).map((m) => el('li', { class: 'message' },
      el('time', {}, formatDuration(m.offsetSeconds)), ' ', el('span', { class: 'user' }, m.user), ' ',
      el('span', { class: 'text' }, m.text))));
    this.log.scrollTop = this.log.scrollHeight;
  }
}

/** How many items have an offset at or before `t` (they are sorted by it). */
function countUpTo(items, t) {
  let lo = 0, hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].offsetSeconds <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
