// Controls the dashboard's panels share: error notices, copy buttons, secret fields.
import { ApiError, el } from './castpipe.js';

/** A sentence for a failed call: the API's message, or what went wrong in the browser. */
export function errorText(e) {
  if (e instanceof ApiError) return e.status === 0 ? 'The server cannot be reached; try again.' : `${e.message} (${e.code})`;
  return e?.message ?? String(e);
}

/** Shows `e` in a `role="alert"` notice, or hides the notice when `e` is null. */
export function showError(notice, e) {
  notice.textContent = e ? errorText(e) : '';
  notice.hidden = !e;
}

/** An empty error notice, hidden until {@link showError} fills it. */
export function errorNotice() {
  return el('p', { class: 'notice error', role: 'alert', hidden: true });
}

/**
 * Copies `text` to the clipboard. The Clipboard API needs a secure context (HTTPS or this
 * machine), so elsewhere the text is put in a hidden field and copied the older way.
 */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const field = el('textarea', { class: 'visually-hidden', readonly: true, 'aria-hidden': 'true' });
  field.value = text;
  document.body.append(field);
  field.select();
  const copied = document.execCommand('copy');
  field.remove();
  if (!copied) throw new Error('copying is not allowed here: select the text and copy it yourself');
}

/** A "Copy" button for `text()` (read at click time); `what` names it for screen readers, or on it with `caption`. */
export function copyButton(what, text, caption) {
  const feedback = el('span', { class: 'copy-feedback', role: 'status' });
  const button = el('button', {
    type: 'button', 'aria-label': caption ? undefined : `Copy ${what}`,
    onclick: async () => {
      try {
        await copyText(text());
        feedback.textContent = 'Copied';
      } catch (e) {
        feedback.textContent = errorText(e);
      }
      setTimeout(() => { feedback.textContent = ''; }, 3000);
    },
  }, caption ?? 'Copy');
  return el('span', { class: 'copy' }, button, feedback);
}

/** A read-only field hidden like a password until "Show" is pressed, with a copy button. */
export function secretField(id, label, value) {
  const input = el('input', { id, type: 'password', readonly: true, class: 'mono', spellcheck: 'false', autocomplete: 'off' });
  input.value = value;
  const reveal = el('button', {
    type: 'button', 'aria-controls': id,
    onclick: () => {
      const shown = input.type === 'password';
      input.type = shown ? 'text' : 'password';
      reveal.textContent = shown ? 'Hide' : 'Show';
    },
  }, 'Show');
  return {
    node: el('div', { class: 'inline' }, el('label', { for: id, class: 'visually-hidden' }, label),
      input, reveal, copyButton(label.toLowerCase(), () => input.value)),
    set value(v) { input.value = v; },
  };
}

/** "12.3 MB" for a number of bytes. */
export function formatBytes(bytes) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes, i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
