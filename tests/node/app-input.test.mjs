// What an app gets when it uses the SDK the way apps written for ably-js 2.x do, at the
// edges: values of other types than the types say, listeners changed while an event is
// being delivered, calls in quick succession. The built package in headless Chromium
// against the real roster-server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, skip } from './ably.mjs';
import { chromiumForTests, inRosterTab } from './chromium.mjs';

const chromium = chromiumForTests(BASE);

// `body(roster, options, name)` in a fresh tab (chromium.mjs's inRosterTab).
const inTab = (body) => inRosterTab(chromium.get(), 'app-input', body);

// As ably-js (String(name)): a numeric room id names the channel of its digits. The wasm
// takes names as strings, and a number reached it as an empty name: every such room one
// channel, "".
test('a channel name given as a number is that number as a string', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options) => {
    const id = Math.floor(Math.random() * 1e9);
    const ada = new roster.Realtime(options('ada'));
    const rest = new roster.Rest(options('reader'));
    const channel = ada.channels.get(id);
    await channel.presence.enter('here');
    const members = async (name) => (await rest.channels.get(name).presence.get()).items.map((m) => m.clientId);
    const result = {
      name: channel.name, same: ada.channels.get(String(id)) === channel, inAll: Object.keys(ada.channels.all),
      byDigits: await members(String(id)), byNumber: await members(id), empty: await members(''),
    };
    await channel.detach();
    ada.channels.release(id);
    result.released = Object.keys(ada.channels.all);
    ada.close();
    return { ...result, id: String(id) };
  });
  const { id, ...seen } = result;
  assert.deepEqual(seen, { name: id, same: true, inAll: [id], byDigits: ['ada'], byNumber: ['ada'], empty: [], released: [] });
});

// As ably-js, whose emit() takes the listeners there are when the event comes: one added
// by a listener (a once() for the next attach, a presence listener a component mounts
// when it hears an enter) hears the next event, not the one being delivered; one removed
// meanwhile still hears this one.
test('a listener added while an event is delivered hears the next one, not that one', { skip, timeout: 60_000 }, async () => {
  const result = await inTab(async (roster, options, name) => {
    const client = new roster.Realtime(options('ada'));
    const channel = client.channels.get(name);
    const heard = [];
    channel.on('attached', () => {
      heard.push('attached');
      channel.once('attached', () => heard.push('added by a listener'));
    });
    // A listener for every event that removes the 'detached' one, which comes after it.
    const onDetached = () => heard.push('detached');
    channel.on((change) => change.current === 'detached' && channel.off('detached', onDetached));
    channel.on('detached', onDetached);
    await channel.attach();
    const afterFirst = heard.slice();
    await channel.detach();
    await channel.attach();
    const presence = [];
    await channel.presence.subscribe('enter', (m) => {
      presence.push(`first ${m.data}`);
      channel.presence.subscribe('enter', (later) => presence.push(`second ${later.data}`));
    });
    await channel.presence.enter('one');
    await channel.presence.leave();
    await channel.presence.enter('two');
    const start = Date.now();
    while (presence.length < 3 && Date.now() - start < 5000) await new Promise((resolve) => setTimeout(resolve, 10));
    client.close();
    return { afterFirst, heard, presence };
  });
  assert.deepEqual(result.afterFirst, ['attached']);
  assert.deepEqual(result.heard, ['attached', 'detached', 'attached', 'added by a listener']);
  assert.deepEqual(result.presence.slice(0, 3), ['first one', 'first two', 'second two']);
});
