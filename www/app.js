// Roster demo chat: presence (who is here, typing, away) and messages on one channel.
import { Realtime } from '/pkg/realtime.js';
import { connectionLabel, leaveReason, memberRows, randomName, typingLine } from './members.js';

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
// Typing stops being shown this long after the last keystroke (tests lengthen it).
const TYPING_IDLE_MS = Number(query.get('typingIdleMs')) || 2000;

const app = {
  realtime: null,
  channel: null,
  name: '',
  status: { kind: query.get('kind') === 'agent' ? 'agent' : 'human', typing: false, away: document.hidden },
  typingTimer: 0,
  // Between pagehide and pageshow: the page is closing or in the back/forward cache.
  unloading: false,
  rows: [],
  rendering: null,
  renderAgain: false,
};

const roomName = () => decodeURIComponent(location.hash.slice(1)) || 'lobby';

function clientOptions(name) {
  const tls = location.protocol === 'https:';
  const port = Number(location.port) || (tls ? 443 : 80);
  const transportParams = {};
  // Tests shorten how long a vanished tab stays listed (the server default is 15 s).
  const remain = Number(query.get('remainPresentFor'));
  if (remain > 0) transportParams.remainPresentFor = remain;
  return {
    authUrl: '/auth/token-request',
    authParams: { clientId: name },
    clientId: name,
    endpoint: location.hostname,
    tls,
    ...(tls ? { tlsPort: port } : { port }),
    transportParams,
  };
}

function logLine(kind, parts) {
  const item = document.createElement('li');
  item.className = kind;
  for (const [tag, text, cls] of parts) {
    const el = document.createElement(tag);
    el.textContent = text;
    if (cls) el.className = cls;
    item.append(el);
  }
  const log = $('log');
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.append(item);
  if (atBottom) log.scrollTop = log.scrollHeight;
}

const systemLine = (text) => logLine('sys', [['span', text]]);

function renderState(state) {
  const label = connectionLabel(state);
  $('state').textContent = label;
  $('state').dataset.state = label;
  $('members-panel').classList.toggle('stale', label !== 'connected');
}

function renderMembers() {
  const list = $('members');
  list.replaceChildren(...app.rows.map((row) => {
    const item = document.createElement('li');
    item.className = 'member';
    item.dataset.clientId = row.clientId;
    const avatar = document.createElement('span');
    avatar.className = 'avatar';
    avatar.textContent = row.clientId.slice(0, 1).toUpperCase();
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = row.self ? `${row.clientId} (you)` : row.clientId;
    const meta = document.createElement('span');
    meta.className = 'meta';
    const badge = document.createElement('span');
    badge.className = `badge ${row.kind}`;
    badge.textContent = row.kind;
    meta.append(badge);
    if (row.devices > 1) {
      const devices = document.createElement('span');
      devices.className = 'devices';
      devices.textContent = `${row.devices} devices`;
      meta.append(devices);
    }
    const status = row.typing ? 'typing…' : row.away ? 'away' : '';
    if (status) {
      const el = document.createElement('span');
      el.className = `status ${row.typing ? 'typing' : 'away'}`;
      el.textContent = status;
      meta.append(el);
    }
    item.append(avatar, name, meta);
    return item;
  }));
  $('member-count').textContent = String(app.rows.length);
  $('typing').textContent = typingLine(app.rows);
}

// The SDK's member set is the truth; re-read it after every change (one read at a time).
// A call during a read makes that read go round again; callers get the read in flight.
// `rendering` is cleared in the same microtask as the last `renderAgain` check, so no
// call can fall between them and be lost.
function refreshMembers() {
  if (app.rendering) {
    app.renderAgain = true;
    return app.rendering;
  }
  const channel = app.channel;
  app.rendering = (async () => {
    try {
      do {
        app.renderAgain = false;
        try {
          const members = await channel.presence.get();
          if (channel !== app.channel) return;
          app.rows = memberRows(members, app.name);
          renderMembers();
        } catch (err) {
          // Not connected: keep the last list; it is shown greyed until the state recovers.
          console.warn('presence.get failed', err);
        }
      } while (app.renderAgain);
    } finally {
      app.rendering = null;
    }
  })();
  return app.rendering;
}

function onPresence(msg) {
  if (msg.action === 'enter' && msg.clientId !== app.name) systemLine(`${msg.clientId} joined`);
  if (msg.action === 'leave' && msg.clientId !== app.name) systemLine(`${msg.clientId} ${leaveReason(msg)}`);
  refreshMembers();
}

function onChat(msg) {
  const text = typeof msg.data?.text === 'string' ? msg.data.text : '';
  if (!text) return;
  const mine = msg.clientId === app.name;
  logLine(mine ? 'msg mine' : 'msg', [['b', msg.clientId ?? '?'], ['span', text, 'text']]);
}

function setStatus(patch) {
  const before = JSON.stringify(app.status);
  Object.assign(app.status, patch);
  if (!app.channel || JSON.stringify(app.status) === before) return;
  app.channel.presence.update({ ...app.status }).catch((err) => console.warn('presence.update failed', err));
}

function onTyping() {
  setStatus({ typing: true });
  clearTimeout(app.typingTimer);
  app.typingTimer = setTimeout(() => setStatus({ typing: false }), TYPING_IDLE_MS);
}

async function enterRoom(room) {
  const channel = app.realtime.channels.get(room);
  app.channel = channel;
  app.rows = [];
  renderMembers();
  $('log').replaceChildren();
  $('room').textContent = `#${room}`;
  document.title = `#${room} · Roster chat`;
  await channel.presence.subscribe(onPresence);
  await channel.subscribe('chat', onChat);
  await channel.presence.enter({ ...app.status });
  systemLine(`you joined #${room} as ${app.name}`);
  await refreshMembers();
}

async function leaveRoom() {
  const channel = app.channel;
  if (!channel) return;
  app.channel = null;
  channel.presence.unsubscribe();
  channel.unsubscribe();
  await channel.presence.leave({ ...app.status }).catch(() => {});
  await channel.detach().catch(() => {});
}

async function join(name) {
  app.name = name;
  localStorage.setItem('roster-name', name);
  $('join').hidden = true;
  $('chat').hidden = false;
  $('state').hidden = false;
  app.realtime = new Realtime(clientOptions(name));
  app.realtime.connection.on((change) => {
    renderState(change.current);
    if (change.reason && change.current !== 'connected') systemLine(`connection ${change.current}: ${change.reason.message}`);
    if (change.current === 'connected') refreshMembers();
  });
  renderState(app.realtime.connection.state);
  await enterRoom(roomName());
  $('text').focus();
}

async function leave() {
  clearTimeout(app.typingTimer);
  app.status.typing = false;
  await leaveRoom();
  app.realtime?.close();
  app.realtime = null;
  $('chat').hidden = true;
  $('join').hidden = false;
  renderState('closed');
}

function start() {
  $('room').textContent = `#${roomName()}`;
  // The form shows while the SDK loads: keep a name typed meanwhile.
  if (!$('name').value) $('name').value = query.get('name') || localStorage.getItem('roster-name') || randomName();
  $('shuffle').addEventListener('click', () => { $('name').value = randomName(); });
  $('join').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('name').value.trim();
    if (name) join(name).catch((err) => systemLine(`could not join: ${err.message}`));
  });
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (!text || !app.channel) return;
    $('text').value = '';
    clearTimeout(app.typingTimer);
    setStatus({ typing: false });
    app.channel.publish('chat', { text }).catch((err) => systemLine(`not sent: ${err.message}`));
  });
  $('text').addEventListener('input', onTyping);
  $('leave').addEventListener('click', () => { leave(); });
  // A tab that closes (or goes into the back/forward cache) hides after pagehide, where
  // the SDK has let the connection go: an update then would only be refused.
  window.addEventListener('pagehide', () => { app.unloading = true; });
  window.addEventListener('pageshow', () => { app.unloading = false; });
  document.addEventListener('visibilitychange', () => app.unloading || setStatus({ away: document.hidden }));
  window.addEventListener('hashchange', async () => {
    if (!app.realtime) {
      $('room').textContent = `#${roomName()}`;
      return;
    }
    await leaveRoom();
    await enterRoom(roomName());
  });
  $('join-button').disabled = false;
  if (query.has('name')) $('join').requestSubmit();
}

start();
