// The user's videos, newest first and paged: status, transcoding progress (polled while a
// video is on its way), the reason of a failure, a link once ready, and delete.
import { api, el, formatDuration } from './castpipe.js';
import { errorNotice, showError } from './dashboard-controls.js';

const POLL_MS = 2000;
const PAGE = 20;
const UNFINISHED = new Set(['created', 'uploading', 'queued', 'processing']);
const STATUS_TEXT = {
  created: 'waiting for its file', uploading: 'uploading', queued: 'queued for transcoding',
  processing: 'transcoding', ready: 'ready', failed: 'failed',
};

export class VideoList {
  #list = el('ul', { class: 'video-list' });
  // Rows are redrawn at every poll; only a change of status is announced.
  #announce = el('p', { class: 'visually-hidden', role: 'status' });
  #error = errorNotice();
  #more = el('button', { type: 'button', hidden: true }, 'Show older videos');
  #empty = el('p', { class: 'muted' }, 'No videos yet: upload one above, or go live; a finished broadcast becomes a video.');
  #cursor = null;
  #rows = new Map();
  #timer = null;
  #stopped = false;

  constructor(section) {
    this.#more.addEventListener('click', () => this.#loadPage());
    section.append(this.#error, this.#announce, this.#empty, this.#list, this.#more);
  }

  async load() {
    await this.#loadPage();
    this.#schedule();
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Shows the video with this id anew (at the top when it is new to the list). */
  async refresh(id) {
    try {
      this.#show(await api(`/videos/${encodeURIComponent(id)}`), true);
      this.#schedule();
    } catch (e) {
      showError(this.#error, e);
    }
  }

  remove(id) {
    this.#rows.get(id)?.remove();
    this.#rows.delete(id);
    this.#empty.hidden = this.#rows.size > 0;
  }

  async #loadPage() {
    this.#more.disabled = true;
    try {
      const query = `?mine=true&limit=${PAGE}` + (this.#cursor ? `&cursor=${encodeURIComponent(this.#cursor)}` : '');
      const page = await api(`/videos${query}`);
      page.items.forEach((v) => this.#show(v, false));
      this.#cursor = page.nextCursor;
      this.#more.hidden = !this.#cursor;
      showError(this.#error, null);
    } catch (e) {
      showError(this.#error, e);
    } finally {
      this.#more.disabled = false;
      this.#empty.hidden = this.#rows.size > 0;
    }
  }

  #show(video, atTop) {
    const row = this.#row(video);
    const old = this.#rows.get(video.id);
    if (old && old.dataset.status !== video.status) {
      this.#announce.textContent = `“${video.title}”: ${STATUS_TEXT[video.status] ?? video.status}`;
    }
    if (old) old.replaceWith(row);
    else if (atTop) this.#list.prepend(row);
    else this.#list.append(row);
    this.#rows.set(video.id, row);
    this.#empty.hidden = true;
  }

  /** While a video is unfinished, it is fetched again every few seconds. */
  #schedule() {
    if (this.#timer || this.#stopped) return;
    this.#timer = setTimeout(async () => {
      this.#timer = null;
      const pending = [...this.#rows].filter(([, row]) => UNFINISHED.has(row.dataset.status)).map(([id]) => id);
      if (pending.length === 0) return;
      await Promise.all(pending.map((id) => api(`/videos/${encodeURIComponent(id)}`)
        .then((v) => this.#show(v, false), (e) => (e.status === 404 ? this.remove(id) : showError(this.#error, e)))));
      this.#schedule();
    }, POLL_MS);
  }

  #row(v) {
    const percent = Math.round((v.progress ?? 0) * 100);
    const status = el('span', { class: `status status-${v.status}` }, STATUS_TEXT[v.status] ?? v.status);
    const details = [];
    if (v.status === 'processing') {
      details.push(el('progress', { max: 100, value: percent, 'aria-label': `Transcoding ${v.title}` }), ` ${percent} %`);
    }
    if (v.status === 'failed' && v.error) {
      details.push(el('span', { class: 'failure' }, `${v.error.message} (${v.error.code})`));
    }
    const title = v.status === 'ready'
      ? el('a', { href: `/videos/${encodeURIComponent(v.id)}` }, v.title)
      : el('span', {}, v.title);
    const remove = el('button', {
      type: 'button', class: 'danger', 'aria-label': `Delete ${v.title}`,
      onclick: async () => {
        if (!confirm(`Delete “${v.title}” and all its files? This cannot be undone.`)) return;
        remove.disabled = true;
        try {
          await api(`/videos/${encodeURIComponent(v.id)}`, { method: 'DELETE' });
          this.remove(v.id);
        } catch (e) {
          showError(this.#error, e);
          remove.disabled = false;
        }
      },
    }, 'Delete');
    return el('li', { class: 'panel video', 'data-id': v.id, 'data-status': v.status },
      el('div', { class: 'video-main' },
        el('strong', { class: 'video-title' }, title),
        el('span', { class: 'muted small' }, [v.visibility, v.durationSeconds ? formatDuration(v.durationSeconds) : null,
          new Date(v.createdAt).toLocaleString()].filter(Boolean).join(' · '))),
      el('div', { class: 'video-state' }, status, ...details),
      remove);
  }
}
