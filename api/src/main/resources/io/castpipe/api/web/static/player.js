// The video player of the watch and video pages: hls.js (window.Hls, loaded as a classic
// script before the page's module) on a <video>, with controls of our own: play, mute, a seek
// bar with scrub previews (VOD), LIVE badge, latency readout and "Back to live" (live), a
// quality menu, full screen, and a message over the picture for the states around playback.
import { el, formatDuration } from './castpipe.js';
import { loadStoryboard, cueAt } from './storyboard.js';

/** Seconds behind the live edge beyond hls.js's target at which the LIVE badge dims. */
const BEHIND_LIVE_SLACK = 3;
const JUMP_INTERVAL_MS = 10000;
const SVG = 'http://www.w3.org/2000/svg';
/** 24×24 icon outlines: drawn, not taken from a font, which a machine may lack. */
const ICONS = {
  play: 'M8 5v14l11-7z',
  pause: 'M6 5h4v14H6zm8 0h4v14h-4z',
  sound: 'M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z',
  muted: 'M3 9v6h4l5 5V4L7 9H3zm13 .4 1.4-1.4 2.1 2.1 2.1-2.1 1.4 1.4-2.1 2.1 2.1 2.1-1.4 1.4-2.1-2.1-2.1 2.1-1.4-1.4 2.1-2.1z',
  fullscreen: 'M5 5h5v2H7v3H5zm9 0h5v5h-2V7h-3zM5 14h2v3h3v2H5zm12 0h2v5h-5v-2h3z',
};

/** Puts icon `name` in `button`, whose aria-label says what it does. */
function setIcon(button, name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name]);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  button.replaceChildren(svg);
  return button;
}

export class Player {
  /**
   * `live`: a channel's stream (LIVE badge, latency, no seek bar); `lowLatency`: hls.js's
   * LL-HLS mode (for channels with `latency: low`). `onFatal(detail)` is called when playback
   * cannot go on (the player has stopped), `onEnded()` when a live stream has played out.
   */
  constructor({ live = false, lowLatency = false, onFatal = () => {}, onEnded = () => {} } = {}) {
    this.live = live;
    this.lowLatency = lowLatency;
    this.lastJumpToLive = 0;
    this.onFatal = onFatal;
    this.onEnded = onEnded;
    this.hls = null;
    this.cues = [];
    this.video = el('video', { playsinline: true, preload: 'metadata', tabindex: -1 });
    this.stateText = el('p');
    this.stateProgress = el('progress', { max: 1, hidden: true });
    this.state = el('div', { class: 'player-state', role: 'status', hidden: true }, this.stateText, this.stateProgress);
    this.preview = this.live ? null : this.buildPreview();
    const stage = el('div', { class: 'stage' }, this.video, this.state, this.preview);
    this.video.addEventListener('click', () => this.togglePlay());
    this.element = el('section', { class: 'player', 'aria-label': live ? 'Live player' : 'Video player' },
      stage, this.buildControls());
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.wireVideoEvents();
  }

  buildControls() {
    this.playButton = setIcon(el('button', { type: 'button', class: 'play', 'aria-label': 'Play', onclick: () => this.togglePlay() }), 'play');
    this.muteButton = setIcon(el('button', { type: 'button', 'aria-label': 'Mute', onclick: () => { this.video.muted = !this.video.muted; } }), 'sound');
    this.quality = el('select', { 'aria-label': 'Quality', disabled: true, onchange: () => this.chooseLevel(Number(this.quality.value)) },
      el('option', { value: -1 }, 'Auto'));
    this.playing = el('span', { class: 'playing-level muted', 'aria-label': 'Playing quality' });
    const fullscreen = setIcon(el('button', { type: 'button', 'aria-label': 'Full screen', onclick: () => this.toggleFullscreen() }), 'fullscreen');
    const middle = this.live ? this.buildLiveControls() : this.buildSeekBar();
    return el('div', { class: 'controls' }, this.playButton, this.muteButton, middle,
      el('label', { class: 'quality' }, el('span', { class: 'visually-hidden' }, 'Quality'), this.quality), this.playing, fullscreen);
  }

  buildLiveControls() {
    this.liveBadge = el('span', { class: 'badge live' }, 'LIVE');
    this.latency = el('span', { class: 'latency', title: 'Seconds behind the live edge' }, '');
    this.backToLive = el('button', { type: 'button', class: 'back-to-live', onclick: () => this.seekToLive() }, 'Back to live');
    this.liveControls = el('div', { class: 'live-controls', hidden: true }, this.liveBadge, this.latency, this.backToLive);
    return this.liveControls;
  }

  buildSeekBar() {
    this.seek = el('input', { type: 'range', class: 'seek', min: 0, max: 0, step: 0.1, value: 0, 'aria-label': 'Seek', disabled: true });
    this.time = el('span', { class: 'time' }, '0:00 / 0:00');
    this.dragging = false;
    this.seek.addEventListener('pointerdown', () => { this.dragging = true; });
    this.seek.addEventListener('pointermove', (e) => {
      const r = this.seek.getBoundingClientRect();
      const at = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)) * Number(this.seek.max);
      this.showPreview(this.dragging ? Number(this.seek.value) : at);
    });
    this.seek.addEventListener('pointerleave', () => { if (!this.dragging) this.hidePreview(); });
    this.seek.addEventListener('input', () => {
      this.showPreview(Number(this.seek.value));
      this.showTime(Number(this.seek.value));
    });
    this.seek.addEventListener('change', () => {
      this.dragging = false;
      this.video.currentTime = Number(this.seek.value);
      this.hidePreview();
    });
    this.seek.addEventListener('blur', () => this.hidePreview());
    return el('div', { class: 'seek-wrap' }, this.seek, this.time);
  }

  buildPreview() {
    this.previewThumb = el('div', { class: 'thumb' });
    this.previewTime = el('span');
    return el('div', { class: 'scrub-preview', hidden: true, 'aria-hidden': 'true' }, this.previewThumb, this.previewTime);
  }

  wireVideoEvents() {
    const v = this.video;
    v.addEventListener('playing', () => this.clearState());
    v.addEventListener('play', () => this.showPlaying(true));
    v.addEventListener('pause', () => this.showPlaying(false));
    v.addEventListener('volumechange', () => {
      setIcon(this.muteButton, v.muted ? 'muted' : 'sound');
      this.muteButton.setAttribute('aria-label', v.muted ? 'Unmute' : 'Mute');
    });
    v.addEventListener('ended', () => { if (this.live) this.onEnded(); });
    if (this.live) return;
    v.addEventListener('durationchange', () => {
      if (Number.isFinite(v.duration)) {
        this.seek.max = v.duration;
        this.seek.disabled = false;
      }
    });
    v.addEventListener('timeupdate', () => {
      if (this.dragging) return;
      this.seek.value = v.currentTime;
      this.showTime(v.currentTime);
    });
  }

  /** Starts playing `url` (an HLS master playlist); `poster` and `storyboardUrl` for videos. */
  load(url, { poster, storyboardUrl } = {}) {
    this.stop();
    this.showState('Loading…');
    if (poster) this.video.poster = poster;
    if (storyboardUrl && this.preview) loadStoryboard(storyboardUrl).then((cues) => { this.cues = cues; });
    const Hls = window.Hls;
    if (!Hls?.isSupported()) {
      if (this.video.canPlayType('application/vnd.apple.mpegurl')) {
        this.video.src = url; // the browser's own HLS (Safari on iOS): no quality menu or latency figures
        this.autoplay();
      } else {
        this.showState('This browser cannot play HLS video (no Media Source Extensions).', { kind: 'error' });
      }
      return;
    }
    // Low latency: hls.js plays up to 1.5x to catch up with its target (see also showLatency).
    const hls = this.hls = new Hls({ lowLatencyMode: this.lowLatency, maxLiveSyncPlaybackRate: this.lowLatency ? 1.5 : 1 });
    let mediaRecovered = false;
    hls.on(Hls.Events.MANIFEST_PARSED, (e, data) => {
      this.fillQualityMenu(data.levels);
      this.autoplay();
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (e, data) => this.showLevel(data.level));
    hls.on(Hls.Events.ERROR, (e, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !mediaRecovered) {
        mediaRecovered = true;
        hls.recoverMediaError();
        return;
      }
      this.stop();
      this.onFatal(data);
    });
    hls.loadSource(url);
    hls.attachMedia(this.video);
    if (this.live) {
      this.liveControls.hidden = false;
      this.latencyTimer = setInterval(() => this.showLatency(), 1000);
    }
  }

  /** Stops playback and lets go of hls.js; the player can `load` again. */
  stop() {
    clearInterval(this.latencyTimer);
    this.hls?.destroy();
    this.hls = null;
    if (this.live) {
      this.liveControls.hidden = true;
      this.latency.textContent = '';
    }
    this.quality.replaceChildren(el('option', { value: -1 }, 'Auto'));
    this.quality.disabled = true;
    this.playing.textContent = '';
  }

  /** A message over the picture: offline, processing (with `progress` 0..1), failed, not found. */
  showState(message, { kind = 'info', progress } = {}) {
    this.stateText.textContent = message;
    this.state.className = `player-state ${kind}`;
    this.state.hidden = false;
    this.stateProgress.hidden = progress === undefined;
    if (progress !== undefined) this.stateProgress.value = progress;
  }

  clearState() {
    this.state.hidden = true;
  }

  /** Plays with sound if the browser allows it, else muted (autoplay rules), the mute button saying so. */
  autoplay() {
    this.video.play().catch((e) => {
      if (e.name !== 'NotAllowedError') return;
      this.video.muted = true;
      this.video.play().catch(() => {});
    });
  }

  togglePlay() {
    if (this.video.paused) this.video.play().catch(() => {});
    else this.video.pause();
  }

  toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else this.element.requestFullscreen?.();
  }

  onKey(e) {
    if (e.target.closest('input, select, button')) return;
    if (e.key === ' ' || e.key === 'k') this.togglePlay();
    else if (!this.live && e.key === 'ArrowRight') this.video.currentTime += 5;
    else if (!this.live && e.key === 'ArrowLeft') this.video.currentTime -= 5;
    else return;
    e.preventDefault();
  }

  showPlaying(playing) {
    setIcon(this.playButton, playing ? 'pause' : 'play');
    this.playButton.setAttribute('aria-label', playing ? 'Pause' : 'Play');
  }

  fillQualityMenu(levels) {
    const options = levels.map((level, i) => el('option', { value: i }, levelName(level))).reverse();
    this.quality.replaceChildren(el('option', { value: -1 }, 'Auto'), ...options);
    this.quality.value = '-1';
    this.quality.disabled = levels.length < 2;
  }

  /** Auto (-1) lets hls.js choose by bandwidth; a level index switches to it now. */
  chooseLevel(index) {
    if (this.hls) this.hls.currentLevel = index;
  }

  showLevel(index) {
    const level = this.hls?.levels[index];
    if (!level) return;
    const name = level.height ? `${level.height}p` : levelName(level);
    this.playing.textContent = name;
    this.element.dataset.playingHeight = level.height;
    this.quality.options[0].textContent = this.hls.autoLevelEnabled ? `Auto (${name})` : 'Auto';
  }

  showLatency() {
    const hls = this.hls;
    if (!hls || !Number.isFinite(hls.latency) || hls.latency <= 0) return;
    this.latency.textContent = `${hls.latency.toFixed(1)} s behind`;
    const behind = hls.latency > (hls.targetLatency ?? 0) + BEHIND_LIVE_SLACK;
    this.liveBadge.classList.toggle('behind', behind);
    // hls.js plays faster to catch up only from less than a segment behind its target; a
    // low-latency viewer further behind (after a stall, on a busy machine) would stay there, so
    // one who is playing is taken back to the live edge, at most once per JUMP_INTERVAL_MS.
    if (behind && this.lowLatency && !this.video.paused && Date.now() - this.lastJumpToLive > JUMP_INTERVAL_MS) {
      this.lastJumpToLive = Date.now();
      this.seekToLive();
    }
  }

  seekToLive() {
    const edge = this.hls?.liveSyncPosition;
    if (Number.isFinite(edge)) this.video.currentTime = edge;
    this.video.play().catch(() => {});
  }

  showTime(at) {
    const total = Number.isFinite(this.video.duration) ? this.video.duration : 0;
    this.time.textContent = `${formatDuration(at)} / ${formatDuration(total)}`;
  }

  /** The thumbnail of `time` above the seek bar, at that point of it. */
  showPreview(time) {
    const cue = cueAt(this.cues, time);
    const max = Number(this.seek.max);
    if (!cue || !(max > 0)) {
      this.hidePreview();
      return;
    }
    const thumb = this.previewThumb.style;
    thumb.width = `${cue.w}px`;
    thumb.height = `${cue.h}px`;
    thumb.backgroundImage = `url("${cue.url}")`; // percent-encoded by URL: no quote can end it
    thumb.backgroundPosition = `-${cue.x}px -${cue.y}px`;
    this.previewTime.textContent = formatDuration(time);
    const stage = this.preview.parentElement.getBoundingClientRect();
    const bar = this.seek.getBoundingClientRect();
    const x = bar.left - stage.left + (time / max) * bar.width;
    this.preview.style.left = `${Math.min(Math.max(x - cue.w / 2, 4), stage.width - cue.w - 4)}px`;
    this.preview.hidden = false;
  }

  hidePreview() {
    if (this.preview) this.preview.hidden = true;
  }
}

/** "720p · 2.8 Mb/s" */
function levelName(level) {
  const rate = level.bitrate ? ` · ${(level.bitrate / 1e6).toFixed(1)} Mb/s` : '';
  return (level.height ? `${level.height}p` : level.name ?? 'level') + rate;
}
