// Uploads a file to Castpipe with tus-js-client, as Uppy and browser code do: the upload is
// aborted partway, then resumed from the URL the server gave, to the end.
// usage: node tus-upload.mjs ENDPOINT TOKEN FILE
// prints one JSON line: {"videoId","offsetAtAbort","bytes"}
import { readFileSync } from 'node:fs';
import * as tus from 'tus-js-client';

const [endpoint, token, file] = process.argv.slice(2);
const data = readFileSync(file);
const chunkSize = 1024 * 1024;

let videoId = null;

function start(options) {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint,
      chunkSize,
      retryDelays: [],
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: 'clip.mp4', title: 'tus-js-client upload' },
      ...options,
      onError: reject,
      onAfterResponse: (req, res) => {
        videoId = videoId ?? res.getHeader('Castpipe-Video-Id') ?? null;
      },
      onSuccess: () => resolve({ upload, done: true }),
      onChunkComplete: (chunk, sent) => {
        if (options.abortAfter && sent >= options.abortAfter) {
          upload.abort().then(() => resolve({ upload, done: false, sent }));
        }
      },
    });
    upload.start();
  });
}

const first = await start({ abortAfter: 2 * chunkSize });
if (first.done) throw new Error('the upload finished before it could be aborted');
const url = first.upload.url;
const resumed = await start({ uploadUrl: url });
if (!resumed.done) throw new Error('the resumed upload did not finish');
console.log(JSON.stringify({ url, offsetAtAbort: first.sent, bytes: data.length, videoId }));
