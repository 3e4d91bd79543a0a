// The channels panel: the user's channels with their stream key and OBS settings, and a form
// to create one. Each card has a place the live health monitor fills while the channel is live.
import { api, el } from './castpipe.js';
import { copyButton, errorNotice, secretField, showError } from './dashboard-controls.js';
import { LATENCY_MODES, obsSettings, obsSettingsText } from './dashboard-obs.js';

/**
 * Fills `section` with the channels `health` watches; resolves once the list is shown.
 * `health` is a {@link HealthMonitor}: each card hands it the element for its live figures.
 */
export async function showChannels(section, health) {
  const list = el('div', { class: 'channel-list' });
  const loadError = errorNotice();
  section.append(loadError, list, createForm(list, health));
  try {
    const { items } = await api('/channels?mine=true');
    list.append(...items.map((c) => channelCard(c, health)));
    if (items.length === 0) list.append(el('p', { class: 'muted empty' }, 'No channel yet: create one below to go live.'));
  } catch (e) {
    showError(loadError, e);
  }
}

function channelCard(channel, health) {
  const id = `channel-${channel.name}`;
  const key = secretField(`${id}-key`, 'Stream key', channel.streamKey);
  const keyError = errorNotice();
  const rotate = el('button', {
    type: 'button',
    onclick: async () => {
      if (!confirm(`Rotate the stream key of “${channel.title}”? OBS must then use the new key; a stream already live goes on.`)) return;
      rotate.disabled = true;
      try {
        channel.streamKey = (await api(`/channels/${encodeURIComponent(channel.name)}/stream-key`, { method: 'POST' })).streamKey;
        key.value = channel.streamKey;
        showError(keyError, null);
      } catch (e) {
        showError(keyError, e);
      } finally {
        rotate.disabled = false;
      }
    },
  }, 'Rotate key…');
  const healthBox = el('div', { class: 'health' });
  health.track(channel.name, healthBox);
  const settings = obsSettings(channel).flatMap(([name, value]) => {
    if (name === 'Stream Key') return [el('dt', {}, name), el('dd', { class: 'key' }, key.node, rotate, keyError)];
    const copy = name === 'Server' ? copyButton('server URL', () => value) : null;
    return [el('dt', {}, name), el('dd', {}, el('span', { class: copy ? 'mono' : undefined }, value), copy)];
  });
  return el('article', { class: 'panel channel', id, 'aria-labelledby': `${id}-title`, 'data-channel': channel.name },
    el('header', { class: 'channel-head' },
      el('h3', { id: `${id}-title` }, channel.title),
      el('span', { class: 'muted mono' }, channel.name),
      el('a', { href: `/watch/${encodeURIComponent(channel.name)}` }, 'Watch page')),
    el('p', { class: 'muted small' }, LATENCY_MODES[channel.latency] ?? channel.latency),
    healthBox,
    el('h4', {}, 'OBS settings'),
    el('p', { class: 'small muted' }, 'Settings → Stream for the server and key; Settings → Output in Advanced mode, Streaming tab, for the rest.'),
    el('dl', { class: 'settings obs' }, settings),
    copyButton('all OBS settings', () => obsSettingsText(channel), 'Copy all OBS settings'));
}

function createForm(list, health) {
  const name = el('input', {
    id: 'channel-name', name: 'name', required: true, autocomplete: 'off', spellcheck: 'false', maxlength: 32,
    pattern: '[a-z0-9][a-z0-9_\\-]{2,31}', 'aria-describedby': 'channel-name-help',
  });
  const title = el('input', { id: 'channel-title', name: 'title', maxlength: 200, autocomplete: 'off' });
  const latency = el('fieldset', { class: 'latency' }, el('legend', {}, 'Latency'),
    Object.entries(LATENCY_MODES).map(([mode, sentence]) => el('label', { class: 'choice' },
      el('input', { type: 'radio', name: 'latency', value: mode, checked: mode === 'normal' }),
      ' ', sentence)));
  const error = errorNotice();
  const submit = el('button', { class: 'primary', type: 'submit' }, 'Create channel');
  const form = el('form', { class: 'panel stack', id: 'new-channel', novalidate: true, 'aria-labelledby': 'new-channel-title' },
    el('h3', { id: 'new-channel-title' }, 'New channel'),
    el('label', { for: 'channel-name' }, 'Name (in the channel’s address)'),
    name,
    el('p', { id: 'channel-name-help', class: 'muted small' }, '3–32 lower-case letters, digits, “_” or “-”, starting with a letter or digit.'),
    el('label', { for: 'channel-title' }, 'Title (optional)'),
    title,
    latency,
    error,
    el('div', {}, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const body = { name: name.value.trim(), latency: form.elements.latency.value };
      if (title.value.trim()) body.title = title.value.trim();
      const channel = await api('/channels', { method: 'POST', body });
      list.querySelector('.empty')?.remove();
      const card = channelCard(channel, health);
      list.append(card);
      form.reset();
      showError(error, null);
      card.querySelector('h3').setAttribute('tabindex', '-1');
      card.querySelector('h3').focus();
    } catch (e) {
      showError(error, e);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
