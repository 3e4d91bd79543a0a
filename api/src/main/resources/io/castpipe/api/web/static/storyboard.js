// Scrub-preview thumbnails: a WebVTT storyboard whose cues name a tile of a sprite sheet,
// `sprite-N.jpg#xywh=x,y,w,h`, relative to the VTT file.

/** "00:01:02.500" or "01:02.500" → 62.5; NaN for anything else. */
function seconds(stamp) {
  const m = /^(?:(\d+):)?(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(stamp.trim());
  return m ? Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) : NaN;
}

/**
 * The cues of a storyboard as `{start, end, url, x, y, w, h}`, `url` absolute. A private
 * video's VTT URL carries its playback token; sheets beside it need the same query.
 */
export function parseStoryboard(text, vttUrl) {
  const base = new URL(vttUrl, location.href);
  const cues = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const timing = lines.findIndex((l) => l.includes('-->'));
    if (timing < 0 || timing + 1 >= lines.length) continue;
    const [from, to] = lines[timing].split('-->').map((t) => seconds(t.trim().split(/\s+/)[0]));
    const target = new URL(lines[timing + 1].trim(), base);
    const xywh = /^#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(target.hash);
    if (!Number.isFinite(from) || !Number.isFinite(to) || !xywh) continue;
    target.hash = '';
    if (!target.search && target.origin === base.origin) target.search = base.search;
    const [x, y, w, h] = xywh.slice(1).map(Number);
    cues.push({ start: from, end: to, url: target.href, x, y, w, h });
  }
  return cues;
}

/** Loads and parses a storyboard; resolves to [] when there is none or it cannot be read. */
export async function loadStoryboard(vttUrl) {
  try {
    const res = await fetch(vttUrl);
    return res.ok ? parseStoryboard(await res.text(), vttUrl) : [];
  } catch {
    return [];
  }
}

/** The cue shown at `time`, or null. */
export function cueAt(cues, time) {
  return cues.find((c) => time >= c.start && time < c.end) ?? (cues.length && time >= cues.at(-1).end ? cues.at(-1) : null);
}
