// The upload panel: a file and a title, sent resumably with tus, with a progress bar,
// cancel, and resume after a failure or a reload of the page.
import { api, el, savedToken } from './castpipe.js';
import { errorNotice, formatBytes, showError } from './dashboard-controls.js';
import { forgetExpiredUploads, retriable, TusUpload } from './upload.js';

/** Fills `section`; `videos` is the video list, told when an upload ends or is cancelled. */
export function showUploads(section, me, videos) {
  const file = el('input', { id: 'upload-file', type: 'file', accept: 'video/*,audio/*', required: true });
  const title = el('input', { id: 'upload-title', maxlength: 200, autocomplete: 'off' });
  const hint = el('p', { class: 'muted small', id: 'upload-hint' });
  const start = el('button', { class: 'primary', type: 'submit' }, 'Upload');
  const cancel = el('button', { type: 'button', hidden: true }, 'Cancel upload');
  const bar = el('progress', { id: 'upload-progress', max: 100, value: 0 });
  const figures = el('span', { class: 'upload-figures' });
  // Screen readers hear every tenth, not every progress event.
  const announce = el('span', { class: 'visually-hidden', role: 'status' });
  const progress = el('div', { class: 'upload-progress', hidden: true },
    el('label', { for: 'upload-progress' }, 'Upload progress'), bar, figures, announce);
  const done = el('p', { class: 'notice ok', role: 'status', hidden: true });
  const error = errorNotice();
  const form = el('form', { class: 'panel stack', id: 'upload-form', novalidate: true },
    el('label', { for: 'upload-file' }, 'Video file'), file, hint,
    el('label', { for: 'upload-title' }, 'Title (the file’s name when empty)'), title,
    progress, error, done,
    el('div', { class: 'inline' }, start, cancel));
  section.append(form);
  forgetExpiredUploads();

  let upload = null;
  let lastTenth = -1;

  const uploadFor = (f) => new TusUpload(f, {
    endpoint: '/api/uploads',
    token: savedToken(),
    owner: me.id,
    metadata: { filename: f.name, filetype: f.type },
    onProgress: (sent, total) => {
      const percent = total === 0 ? 100 : Math.floor((sent / total) * 100);
      bar.value = percent;
      figures.textContent = `${percent} % — ${formatBytes(sent)} of ${formatBytes(total)}`;
      if (Math.floor(percent / 10) !== lastTenth) {
        lastTenth = Math.floor(percent / 10);
        announce.textContent = `Uploaded ${percent} %`;
      }
    },
  });

  file.addEventListener('change', () => {
    const f = file.files[0];
    showError(error, null);
    done.hidden = true;
    upload = f ? uploadFor(f) : null;
    hint.textContent = !f ? '' : upload.resumable
      ? `${formatBytes(f.size)} — an earlier upload of this file stopped partway: Upload resumes it.`
      : formatBytes(f.size);
    start.textContent = upload?.resumable ? 'Resume upload' : 'Upload';
  });

  const busy = (on) => {
    start.disabled = on;
    file.disabled = on;
    title.disabled = on;
    cancel.hidden = !on;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!upload) {
      showError(error, new Error('Choose a video file first.'));
      file.focus();
      return;
    }
    // Read now: it may be typed after the file is chosen.
    upload.metadata.title = title.value.trim() || upload.file.name;
    showError(error, null);
    done.hidden = true;
    progress.hidden = false;
    lastTenth = -1;
    busy(true);
    try {
      const videoId = await upload.start();
      done.textContent = `${upload.file.name} is uploaded (${formatBytes(upload.file.size)}); its video is being transcoded below.`;
      done.hidden = false;
      videos.refresh(videoId);
      form.reset();
      upload = null;
      hint.textContent = '';
      start.textContent = 'Upload';
    } catch (e) {
      if (retriable(e)) {
        showError(error, new Error(`The upload stopped: ${e.message}. Press “Resume upload” to continue from where it stopped.`));
        start.textContent = 'Resume upload';
      } else if (e.code !== 'cancelled') {
        showError(error, new Error(`The upload failed: ${e.message} (${e.code}).`));
      }
    } finally {
      busy(false);
    }
  });

  cancel.addEventListener('click', async () => {
    if (!upload) return;
    try {
      const videoId = await upload.cancel();
      // The upload made the video; without its file it is of no use.
      if (videoId) {
        await api(`/videos/${encodeURIComponent(videoId)}`, { method: 'DELETE' });
        videos.remove(videoId);
      }
      progress.hidden = true;
      done.textContent = 'The upload was cancelled and its bytes deleted.';
      done.hidden = false;
      start.textContent = 'Upload';
    } catch (e) {
      showError(error, e);
    }
  });
}
