// What a streamer sets in OBS for a channel: where to publish, and the encoder settings that
// suit Castpipe's live packaging and its latency mode.

/** What each latency mode means to viewers, as the channel form and the channel cards say it. */
export const LATENCY_MODES = {
  low: 'Low — about 2 s behind the camera (LL-HLS parts of 1 s segments), for interaction with chat; players without LL-HLS fall back to whole segments.',
  normal: 'Normal — about 4 s behind, whole 1 s segments: works in every HLS player.',
  high: 'High — 6 s segments, the fewest requests per viewer: for large audiences that need no interaction.',
};

/**
 * The live renditions are cut into segments of 1 s (the default live segment) at keyframes,
 * and ingest warns when the keyframe interval does not fit them — 2 s does not. So 1 s for
 * every mode: high-latency channels' 6 s segments hold six such intervals.
 */
const KEYFRAME_INTERVAL_SECONDS = 1;

/** OBS's Settings → Output (Advanced) → Streaming values for a channel, in OBS's own words. */
export function obsSettings(channel) {
  const settings = [
    ['Service', 'Custom…'],
    ['Server', channel.rtmpUrl],
    ['Stream Key', channel.streamKey],
    ['Encoder', 'x264'],
    ['Rate Control', 'CBR'],
    ['Bitrate', '6000 Kbps for 1080p, 4500 Kbps for 720p at 60 fps, 3000 Kbps for 720p at 30 fps'],
    ['Keyframe Interval', `${KEYFRAME_INTERVAL_SECONDS} s`],
    ['CPU Usage Preset', 'veryfast'],
  ];
  if (channel.latency === 'low') settings.push(['Tune', 'zerolatency']);
  settings.push(['Audio Bitrate', '160 Kbps (AAC)']);
  return settings;
}

/** The settings as plain text, to paste into notes or a chat with whoever runs OBS. */
export function obsSettingsText(channel) {
  return obsSettings(channel).map(([name, value]) => `${name}: ${value}`).join('\n');
}
