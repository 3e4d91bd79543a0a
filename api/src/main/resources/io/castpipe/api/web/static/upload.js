// A small tus 1.0.0 client for the browser: creation with Upload-Metadata, PATCH in chunks,
// resumption from the offset the server reports (HEAD) after a failure or a reload, and
// termination. The upload's URL is kept in localStorage under the file's fingerprint, so
// choosing the same file again after a reload continues where it stopped.

const TUS_VERSION = '1.0.0';
const CHUNK_BYTES = 5 * 1024 * 1024;
/** Pauses before each new attempt after a failed request; then the upload gives up (and can be resumed). */
const RETRY_DELAYS_MS = [500, 2000, 5000, 10000];
const STORE_PREFIX = 'castpipe.upload.';

/** Forgets the uploads kept for resuming whose time on the server is over (Upload-Expires). */
export function forgetExpiredUploads() {
  const now = Date.now();
  for (const key of Object.keys(localStorage).filter((k) => k.startsWith(STORE_PREFIX))) {
    let expires = null;
    try {
      expires = JSON.parse(localStorage.getItem(key))?.expires;
    } catch {
      // not a record of this module's: forgotten below
    }
    if (!(expires > now)) localStorage.removeItem(key);
  }
}

/** A failure of the upload: `status` is the HTTP status (0 without an answer), `code` the API's. */
export class UploadError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class TusUpload {
  #xhr = null;
  #cancelled = false;

  /**
   * @param file a File (or Blob with a name)
   * @param options endpoint ("/api/uploads"), token, metadata ({filename, title, ...}),
   *   owner (whose uploads the stored URLs are), onProgress(sentBytes, totalBytes)
   */
  constructor(file, { endpoint, token, metadata = {}, owner = '', onProgress = () => {} }) {
    this.file = file;
    this.endpoint = endpoint;
    this.token = token;
    this.metadata = metadata;
    this.onProgress = onProgress;
    this.storeKey = STORE_PREFIX + [owner, file.name, file.size, file.lastModified, file.type].join('|');
    this.url = null;
    this.videoId = null;
  }

  /** True when an earlier upload of the same file by the same owner can be resumed. */
  get resumable() {
    return localStorage.getItem(this.storeKey) !== null;
  }

  /** Uploads the file to the end; resolves to the video's id. Calling it again after a failure resumes. */
  async start() {
    this.#cancelled = false;
    let offset = await this.#resumeOrCreate();
    for (let attempt = 0; offset < this.file.size;) {
      try {
        offset = await this.#patch(offset);
        attempt = 0;
      } catch (e) {
        if (this.#cancelled || !retriable(e) || attempt >= RETRY_DELAYS_MS.length) throw e;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt++]));
        offset = await this.#offset().catch(() => offset);
      }
    }
    localStorage.removeItem(this.storeKey);
    this.onProgress(this.file.size, this.file.size);
    return this.videoId;
  }

  /** Stops sending and terminates the upload on the server (its bytes go); resolves to the video's id, if it had one. */
  async cancel() {
    this.#cancelled = true;
    this.#xhr?.abort();
    localStorage.removeItem(this.storeKey);
    // The server may not have noticed the aborted PATCH yet: the upload is busy (423) until it does.
    for (let attempt = 0; this.url; attempt++) {
      const res = await this.#request('DELETE', this.url);
      if (res.status === 204 || res.status === 404) break;
      if (res.status !== 423 || attempt >= RETRY_DELAYS_MS.length) throw failure(res);
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
    }
    return this.videoId;
  }

  async #resumeOrCreate() {
    const saved = JSON.parse(localStorage.getItem(this.storeKey) ?? 'null');
    if (saved) {
      this.url = saved.url;
      this.videoId = saved.videoId;
      try {
        return await this.#offset();
      } catch (e) {
        // Expired, terminated or finished elsewhere: start afresh.
        if (e.status !== 404 && e.status !== 410 && e.status !== 403) throw e;
        localStorage.removeItem(this.storeKey);
      }
    }
    const res = await this.#request('POST', this.endpoint, {
      'Upload-Length': String(this.file.size),
      'Upload-Metadata': Object.entries(this.metadata).filter(([, v]) => v)
        .map(([k, v]) => `${k} ${base64(v)}`).join(','),
    });
    if (res.status !== 201) throw failure(res);
    // The server names the upload with its public address; it is this server's path that counts.
    this.url = new URL(res.getResponseHeader('Location'), location.href).pathname;
    this.videoId = res.getResponseHeader('Castpipe-Video-Id');
    const expires = Date.parse(res.getResponseHeader('Upload-Expires') ?? '');
    localStorage.setItem(this.storeKey, JSON.stringify({ url: this.url, videoId: this.videoId, expires }));
    return 0;
  }

  async #offset() {
    const res = await this.#request('HEAD', this.url);
    if (res.status !== 200) throw failure(res);
    const offset = Number(res.getResponseHeader('Upload-Offset'));
    this.onProgress(offset, this.file.size);
    return offset;
  }

  async #patch(offset) {
    const chunk = this.file.slice(offset, Math.min(offset + CHUNK_BYTES, this.file.size));
    const res = await this.#request('PATCH', this.url, {
      'Upload-Offset': String(offset),
      'Content-Type': 'application/offset+octet-stream',
    }, chunk, (sent) => this.onProgress(offset + sent, this.file.size));
    if (res.status !== 204) throw failure(res);
    const next = Number(res.getResponseHeader('Upload-Offset'));
    this.onProgress(next, this.file.size);
    return next;
  }

  /** One request with XMLHttpRequest, which, unlike fetch, reports how much of the body went out. */
  #request(method, url, headers = {}, body = null, onSent = null) {
    return new Promise((resolve, reject) => {
      if (this.#cancelled && method !== 'DELETE') {
        reject(new UploadError(0, 'cancelled', 'the upload was cancelled'));
        return;
      }
      const xhr = new XMLHttpRequest();
      this.#xhr = xhr;
      xhr.open(method, url);
      xhr.setRequestHeader('Tus-Resumable', TUS_VERSION);
      xhr.setRequestHeader('Authorization', `Bearer ${this.token}`);
      for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
      if (onSent) xhr.upload.onprogress = (e) => onSent(e.loaded);
      xhr.onload = () => resolve(xhr);
      xhr.onerror = () => reject(new UploadError(0, 'network', 'the connection to the server failed'));
      xhr.onabort = () => reject(new UploadError(0, 'cancelled', 'the upload was cancelled'));
      xhr.send(body);
    });
  }
}

/**
 * Conflicts (another offset), a body the server stopped waiting for (408), a busy upload (423),
 * too many requests (429), server errors and lost connections are worth another try.
 */
export function retriable(e) {
  return e.code !== 'cancelled' && ([0, 408, 409, 423, 429].includes(e.status) || e.status >= 500);
}

function failure(xhr) {
  let error = null;
  try {
    error = JSON.parse(xhr.responseText)?.error;
  } catch {
    // HEAD has no body; the status says it
  }
  return new UploadError(xhr.status, error?.code ?? `http_${xhr.status}`, error?.message ?? `the server answered ${xhr.status}`);
}

/** Base64 of the UTF-8 bytes, as Upload-Metadata wants its values. */
function base64(text) {
  let binary = '';
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}
