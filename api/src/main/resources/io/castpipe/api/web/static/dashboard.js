// The channel dashboard: sign in with an API token (the admin token creates a user first),
// then the user's channels with stream keys, OBS settings and live health, uploads, and videos.
import { api, ApiError, el, savedToken, saveToken } from './castpipe.js';
import { showChannels } from './dashboard-channels.js';
import { copyButton, showError } from './dashboard-controls.js';
import { HealthMonitor } from './dashboard-health.js';
import { showUploads } from './dashboard-upload.js';
import { VideoList } from './dashboard-videos.js';

const $ = (id) => document.getElementById(id);

/** What runs while a user is signed in (pollers), stopped at sign-out. */
let stopSession = () => {};
/** The admin token while a user is being created; never saved. */
let adminToken = null;

/** Who `token` belongs to: {id, name} or {admin: true}; null when the server refuses it. */
async function whoIs(token) {
  try {
    return await api('/me', { token });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

function showOnly(id) {
  for (const part of ['loading', 'sign-in', 'admin', 'workspace']) $(part).hidden = part !== id;
}

function showSignIn(message) {
  stopSession();
  stopSession = () => {};
  adminToken = null;
  $('account').replaceChildren();
  showOnly('sign-in');
  showError($('sign-in-error'), message ? new Error(message) : null);
  $('token').value = '';
  $('token').focus();
}

/** The workspace of a signed-in user; `newToken` is shown once when the admin just created them. */
async function showWorkspace(me, newToken) {
  $('account').replaceChildren(el('span', {}, 'Signed in as ', el('strong', {}, me.name)),
    el('button', { type: 'button', id: 'sign-out', onclick: () => { saveToken(null); showSignIn(); } }, 'Sign out'));
  for (const id of ['channels', 'uploads', 'videos']) $(id).replaceChildren($(`${id}-title`));
  const notice = $('new-token');
  notice.hidden = !newToken;
  if (newToken) {
    notice.replaceChildren(el('p', {}, `User “${me.name}” created. Their token is shown only now: keep it to sign in again.`),
      el('code', { class: 'mono' }, newToken), ' ', copyButton('the token', () => newToken));
  }
  showOnly('workspace');
  // The form that had the focus is gone: keyboard and screen reader users go on from the first section.
  $('channels-title').focus();
  const health = new HealthMonitor();
  const videos = new VideoList($('videos'));
  stopSession = () => { health.stop(); videos.stop(); };
  showUploads($('uploads'), me, videos);
  await Promise.all([showChannels($('channels'), health), videos.load()]);
  health.start();
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  if (!token) {
    showError($('sign-in-error'), new Error('Paste your API token.'));
    return;
  }
  try {
    const me = await whoIs(token);
    if (!me) {
      showError($('sign-in-error'), new Error('The server does not know this token. Check that it was pasted whole.'));
    } else if (me.admin) {
      adminToken = token;
      showOnly('admin');
      $('user-name').focus();
    } else {
      saveToken(token);
      await showWorkspace(me);
    }
  } catch (e) {
    showError($('sign-in-error'), e);
  }
});

$('new-user-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const user = await api('/users', { method: 'POST', body: { name: $('user-name').value.trim() }, token: adminToken });
    adminToken = null;
    saveToken(user.token);
    $('new-user-form').reset();
    showError($('new-user-error'), null);
    await showWorkspace(user, user.token);
  } catch (e) {
    showError($('new-user-error'), e);
  }
});

$('admin-cancel').addEventListener('click', () => showSignIn());

const saved = savedToken();
if (!saved) {
  showSignIn();
} else {
  whoIs(saved).then((me) => {
    if (me && !me.admin) return showWorkspace(me);
    saveToken(null);
    return showSignIn('The token saved in this browser is no longer valid: sign in again.');
  }, (e) => {
    showSignIn();
    showError($('sign-in-error'), e);
  });
}
