// A channel's chat room beside the live player: history and new messages (always as text),
// a send box for a signed-in user, the viewer count, inline errors, and moderation for the
// channel's owner and moderators. Frames are chat/README.md's; the WebSocket is reopened with
// a fresh token and growing pauses when it drops.
import { api, ApiError, el, savedToken } from './castpipe.js';

const MAX_LENGTH = 500;
const KEPT_MESSAGES = 200;
const MAX_BACKOFF_SECONDS = 30;
/** Refusals of a post: the text goes back into the box so it is not lost. */
const POST_REFUSALS = new Set(['slow_mode', 'rate_limited', 'duplicate', 'blocked_word', 'too_long', 'timed_out',
  'banned', 'invalid_token', 'unavailable', 'read_only', 'flood', 'invalid_text']);
const SLOW_MODES = [[0, 'Off'], [5, '5 s'], [30, '30 s'], [60, '1 min'], [300, '5 min']];
const TIMEOUTS = [[60, '1 min'], [600, '10 min'], [3600, '1 hour'], [86400, '1 day']];

export class ChatPanel {
  constructor({ channel, chatUrl }) {
    this.channel = channel;
    this.chatUrl = chatUrl;
    this.ws = null;
    this.role = null;
    this.attempt = 0;
    this.lastSent = '';
    this.names = new Map();
    this.banned = new Map();
    this.connState = el('span', { class: 'conn-state', role: 'status' }, 'Connecting…');
    this.viewers = el('span', { class: 'viewers' });
    this.slowNotice = el('p', { class: 'slow-notice muted', hidden: true });
    this.log = el('ol', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': 'Chat messages' });
    this.error = el('p', { class: 'chat-error', role: 'alert', hidden: true });
    this.footer = el('div', { class: 'chat-footer' });
    this.modTools = el('div', { class: 'mod-tools' });
    this.element = el('aside', { class: 'chat', 'aria-label': 'Chat' },
      el('div', { class: 'chat-head' }, el('h2', {}, 'Chat'), this.viewers, this.connState),
      this.modTools, this.slowNotice, this.log, this.error, this.footer);
  }

  start() {
    this.connect();
  }

  async connect() {
    clearInterval(this.countdown);
    this.setConnState(this.attempt ? 'Reconnecting…' : 'Connecting…', 'pending');
    let url = this.chatUrl;
    this.role = null;
    if (savedToken()) {
      try {
        const t = await api('/chat/token', { method: 'POST', body: { channel: this.channel } });
        url = `${t.chatUrl}?token=${encodeURIComponent(t.token)}`;
        this.role = t.role;
      } catch (e) {
        if (!(e instanceof ApiError) || e.status === 0 || e.status >= 500) {
          this.reconnectLater();
          return;
        }
        this.showError(`Cannot post: ${e.message}. Sign in again on the dashboard.`);
      }
    }
    this.showFooter();
    this.showModTools();
    const ws = this.ws = new WebSocket(url);
    ws.addEventListener('open', () => this.setConnState('Connected', 'ok'));
    ws.addEventListener('message', (e) => {
      try {
        this.onFrame(JSON.parse(e.data));
      } catch (err) {
        console.error('chat frame not understood', err);
      }
    });
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.reconnectLater();
    });
  }

  /** Waits 1, 2, 4 … up to 30 s (less a random part, so a room's viewers do not all come back at once). */
  reconnectLater() {
    const wait = Math.ceil(Math.min(MAX_BACKOFF_SECONDS, 2 ** this.attempt) * (0.6 + Math.random() * 0.4));
    this.attempt++;
    let left = wait;
    const tick = () => this.setConnState(`Disconnected; reconnecting in ${left} s`, 'error');
    tick();
    this.countdown = setInterval(() => {
      left--;
      if (left > 0) tick();
      else this.connect();
    }, 1000);
  }

  setConnState(text, kind) {
    this.connState.textContent = text;
    this.connState.dataset.state = kind;
  }

  onFrame(f) {
    switch (f.type) {
      case 'history':
        this.attempt = 0;
        this.log.replaceChildren(...f.messages.map((m) => this.messageItem(m)));
        this.scrollToEnd();
        this.showSlowMode(0); // a slowmode frame follows when it is on
        break;
      case 'message':
        this.append(this.messageItem(f));
        break;
      case 'deleted':
        this.markDeleted(f.id);
        break;
      case 'timeout':
        this.announce(`${this.nameOf(f.user)} was timed out for ${durationText(f.seconds)}.`);
        break;
      case 'ban':
        this.banned.set(f.user, this.nameOf(f.user));
        this.announce(`${this.nameOf(f.user)} was banned.`);
        this.showModTools();
        break;
      case 'unban':
        this.banned.delete(f.user);
        this.announce(`${this.nameOf(f.user)} was unbanned.`);
        this.showModTools();
        break;
      case 'slowmode':
        if (f.seconds !== this.slowSeconds) {
          this.announce(f.seconds > 0 ? `Slow mode is on: one message every ${durationText(f.seconds)}.` : 'Slow mode is off.');
        }
        this.showSlowMode(f.seconds);
        break;
      case 'viewers':
        this.viewers.textContent = `${f.count} watching`;
        break;
      case 'error':
        this.onRefusal(f);
        break;
      default:
        break;
    }
  }

  onRefusal(f) {
    this.showError(f.message || f.code, f.code);
    if (POST_REFUSALS.has(f.code) && this.input && this.input.value === '') {
      this.input.value = this.lastSent;
      this.showCount();
    }
    // An expired token leaves the connection read-only: come back with a fresh one.
    if (f.code === 'invalid_token' && savedToken()) {
      const ws = this.ws;
      this.ws = null;
      ws?.close();
      this.connect();
    }
  }

  messageItem(m) {
    if (m.userId) this.names.set(m.userId, m.user);
    const when = new Date(m.ts);
    const item = el('li', { class: 'message', 'data-id': m.id },
      el('time', { datetime: m.ts }, Number.isNaN(when.getTime()) ? '' : when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })),
      ' ', el('span', { class: 'user' }, m.user), ' ', el('span', { class: 'text' }, m.text));
    if (this.canModerate()) item.append(this.messageActions(m));
    return item;
  }

  messageActions(m) {
    const send = (frame) => this.send(frame);
    return el('span', { class: 'actions' },
      el('button', { type: 'button', 'aria-label': `Delete message by ${m.user}`, onclick: () => send({ type: 'delete', id: m.id }) }, 'Delete'),
      el('button', { type: 'button', 'aria-label': `Time out ${m.user}`,
        onclick: () => send({ type: 'timeout', user: m.userId, seconds: Number(this.timeoutLength?.value ?? 600) }) }, 'Time out'),
      el('button', { type: 'button', 'aria-label': `Ban ${m.user}`, onclick: () => send({ type: 'ban', user: m.userId }) }, 'Ban'));
  }

  markDeleted(id) {
    const item = [...this.log.children].find((li) => li.dataset.id === id);
    if (!item) return;
    item.classList.add('deleted');
    item.querySelector('.text').textContent = 'message deleted';
    item.querySelector('.actions')?.remove();
  }

  announce(text) {
    this.append(el('li', { class: 'announcement' }, text));
  }

  append(item) {
    const atEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    this.log.append(item);
    while (this.log.children.length > KEPT_MESSAGES) this.log.firstElementChild.remove();
    if (atEnd) this.scrollToEnd();
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  nameOf(userId) {
    return this.names.get(userId) ?? this.banned.get(userId) ?? `user ${userId}`;
  }

  showSlowMode(seconds) {
    this.slowSeconds = seconds;
    this.slowNotice.hidden = seconds <= 0;
    this.slowNotice.textContent = seconds > 0 ? `Slow mode: one message every ${durationText(seconds)}.` : '';
    if (this.slowMode) this.slowMode.value = String(SLOW_MODES.some(([s]) => s === seconds) ? seconds : 0);
  }

  /** `code`, a refusal's error code, is kept in the element's data-code. */
  showError(text, code = '') {
    this.error.textContent = text;
    this.error.dataset.code = code;
    this.error.hidden = false;
    clearTimeout(this.errorTimer);
    this.errorTimer = setTimeout(() => { this.error.hidden = true; }, 8000);
  }

  canModerate() {
    return this.role === 'owner' || this.role === 'moderator';
  }

  send(frame) {
    if (this.ws?.readyState !== WebSocket.OPEN) {
      this.showError('Not connected; try again in a moment.');
      return false;
    }
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** The send box for a token holder; for anyone else, how to sign in. */
  showFooter() {
    if (!this.role) {
      this.input = null;
      this.footer.replaceChildren(el('p', { class: 'signin muted' }, 'You are reading the chat. To write, ',
        el('a', { href: '/dashboard' }, 'sign in on the dashboard'), ' and come back.'));
      return;
    }
    if (this.input) return;
    this.input = el('input', { type: 'text', id: 'chat-input', maxlength: MAX_LENGTH, autocomplete: 'off', required: true,
      oninput: () => this.showCount() });
    this.counter = el('span', { class: 'counter muted', 'aria-live': 'off' });
    const form = el('form', { class: 'send', onsubmit: (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      if (this.send({ type: 'message', text })) {
        this.lastSent = text;
        this.input.value = '';
        this.showCount();
      }
    } },
    el('label', { for: 'chat-input', class: 'visually-hidden' }, 'Message'), this.input, this.counter,
    el('button', { type: 'submit', class: 'primary' }, 'Send'));
    this.footer.replaceChildren(form);
    this.showCount();
  }

  showCount() {
    this.counter.textContent = `${this.input.value.length}/${MAX_LENGTH}`;
  }

  /** Slow mode, the time-out length the message buttons use, and who was banned here (to unban). */
  showModTools() {
    if (!this.canModerate()) {
      this.modTools.replaceChildren();
      this.slowMode = this.timeoutLength = null;
      return;
    }
    const keep = (select, fallback) => select?.value ?? fallback;
    const slow = keep(this.slowMode, '0');
    const length = keep(this.timeoutLength, '600');
    this.slowMode = el('select', { id: 'chat-slow-mode' }, SLOW_MODES.map(([s, label]) => el('option', { value: s }, label)));
    this.slowMode.value = slow;
    this.timeoutLength = el('select', { id: 'chat-timeout-length' }, TIMEOUTS.map(([s, label]) => el('option', { value: s }, label)));
    this.timeoutLength.value = length;
    const banned = [...this.banned].map(([id, name]) => el('li', {}, name, ' ',
      el('button', { type: 'button', 'aria-label': `Unban ${name}`, onclick: () => this.send({ type: 'unban', user: id }) }, 'Unban')));
    const open = this.modTools.querySelector('details')?.open;
    this.modTools.replaceChildren(el('details', { class: 'mod', open },
      el('summary', {}, `Moderation (${this.role})`),
      el('div', { class: 'mod-row' },
        el('label', { for: 'chat-slow-mode' }, 'Slow mode'), this.slowMode,
        el('button', { type: 'button', onclick: () => this.send({ type: 'slowmode', seconds: Number(this.slowMode.value) }) }, 'Set')),
      el('div', { class: 'mod-row' }, el('label', { for: 'chat-timeout-length' }, 'Time-out length'), this.timeoutLength),
      banned.length ? el('div', {}, el('p', {}, 'Banned while you watched:'), el('ul', { class: 'banned' }, banned)) : null));
  }
}

/** 30 → "30 s", 600 → "10 min", 7200 → "2 h". */
function durationText(seconds) {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
