// Live ingest health: while a channel of the user is live, what ingest measures of the stream
// (bit rates, frame rate, keyframe interval, codecs), its viewers, how the server transcodes
// it, and the warnings that say what to change in the encoder. Polls GET /api/live and
// GET /api/streams/{id}.
import { api, el } from './castpipe.js';
import { errorText } from './dashboard-controls.js';

const POLL_MS = 4000;

export class HealthMonitor {
  #boxes = new Map();
  #timer = null;
  #running = false;

  /** Shows the health of `channel` in `box` from the next poll on. */
  track(channel, box) {
    this.#boxes.set(channel, { box, warningsKey: null });
    box.replaceChildren(el('p', { class: 'muted small' }, 'Checking whether the channel is live…'));
    if (this.#running) this.#restart();
  }

  start() {
    this.#running = true;
    this.#restart();
  }

  stop() {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#boxes.clear();
  }

  #restart() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#poll(), 0);
  }

  async #poll() {
    if (!document.hidden && this.#boxes.size > 0) {
      try {
        const live = new Map((await api('/live')).map((s) => [s.channel, s]));
        await Promise.all([...this.#boxes].map(([channel, entry]) => this.#refresh(entry, live.get(channel))));
      } catch (e) {
        for (const { box } of this.#boxes.values()) note(box, `Could not refresh the live status: ${errorText(e)}`);
      }
    }
    if (this.#running) this.#timer = setTimeout(() => this.#poll(), POLL_MS);
  }

  async #refresh(entry, live) {
    if (!live) {
      entry.warningsKey = null;
      entry.box.replaceChildren(el('p', { class: 'muted small' },
        el('span', { class: 'badge offline' }, 'OFFLINE'), ' Start streaming in OBS to see the ingest health here.'));
      return;
    }
    const stream = await api(`/streams/${encodeURIComponent(live.streamId)}`);
    render(entry, live, stream);
  }
}

function render(entry, live, stream) {
  const f = stream.ingest ?? {};
  const figures = el('dl', { class: 'figures' },
    figure('Video bitrate', f.videoBitrateKbps, (v) => `${Math.round(v)} kbps`),
    figure('Audio bitrate', f.audioBitrateKbps, (v) => `${Math.round(v)} kbps`),
    figure('Frame rate', f.fps, (v) => `${round1(v)} fps`),
    figure('Keyframe interval', f.keyframeIntervalSeconds,
      (v) => `${round1(v)} s` + (f.maxKeyframeIntervalSeconds > v ? ` (longest ${round1(f.maxKeyframeIntervalSeconds)} s)` : '')),
    figure('Resolution', f.width && f.height ? `${f.width}×${f.height}` : null, String),
    figure('Codecs', [f.videoCodec, f.audioCodec].filter(Boolean).join(' / ') || null, String),
    figure('Viewers', stream.viewers ?? live.viewers, String),
    figure('Transcoding', stream.ladder?.preset ? stream.ladder : null, transcoding));
  const started = new Date(live.startedAt);
  const head = el('p', { class: 'live-head' }, el('span', { class: 'badge live' }, 'LIVE'),
    ` since ${started.toLocaleTimeString()}`, f.measuredAt ? el('span', { class: 'muted small' },
      ` · measured ${new Date(f.measuredAt).toLocaleTimeString()}`) : ' · the first figures come about 5 s after the start');

  // Announced (polite) only when the warnings change, not at every poll.
  const warnings = stream.warnings ?? [];
  const key = JSON.stringify(warnings);
  let region = entry.box.querySelector('.warnings');
  if (!region || entry.warningsKey !== key) {
    region = el('div', { class: 'warnings', role: 'status' }, warnings.length === 0
      ? el('p', { class: 'ok small' }, 'No ingest warnings.')
      : el('ul', {}, warnings.map((w) => el('li', { class: 'warning', 'data-code': w.code },
        el('strong', {}, 'Warning: '), w.message))));
    entry.warningsKey = key;
  }
  entry.box.replaceChildren(head, figures, region);
}

function figure(name, value, format) {
  return el('div', { class: 'figure' }, el('dt', {}, name), el('dd', {}, value === null || value === undefined ? '…' : format(value)));
}

// The server's side of the health: how the ladder is encoded, whether that was shed (a faster
// preset, fewer rungs, the source passed through) because the configured ladder fell behind real
// time or started so because the transcoder's CPU budget was in use, how far behind it is and
// the CPU its encoder uses.
function transcoding(l) {
  const source = l.sourceRenditions ?? [];
  const how = l.step === 'passthrough' ? 'the source passed through'
    : `x264 ${l.preset}` + (source.length ? `, the source in ${source.join(' and ')}` : '');
  const below = l.heldBy === 'budget' ? `started below x264 ${l.configuredPreset}: the transcoder's CPU budget is in use`
    : `shed from x264 ${l.configuredPreset} at ${new Date(l.since).toLocaleTimeString()}`;
  const shed = l.shed ? ` (${below})` : '';
  const moving = l.switching ? ', changing step' : '';
  const cpu = l.cpuCores == null ? '' : `, ${l.cpuCores.toFixed(2)} cores`;
  return `${how}${shed}${moving}, ${round1(l.behindSeconds)} s behind${cpu}`;
}

function round1(v) {
  return Math.round(v * 10) / 10;
}

function note(box, text) {
  box.querySelector('.poll-error')?.remove();
  box.append(el('p', { class: 'notice error small poll-error' }, text));
}
