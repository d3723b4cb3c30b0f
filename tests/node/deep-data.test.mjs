// Presence data nested almost as deep as the core's JSON reader accepts (128 levels, the
// message's own nesting included) goes through the package both ways in headless
// Chromium: entered by one Roster client, heard and listed by another, read back over
// REST. The package's wasm stack is 32 KiB (js/build.sh): this is the deepest input the
// core takes, and an overflow there would trap the module and fail these calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, rosterOptions, skip, uniqueChannel } from './ably.mjs';
import { chromiumForTests, openTab } from './chromium.mjs';

const WAIT = 10_000;
/** Array nesting of the data; with the frame's own levels it stays under 128. */
const DEPTH = 120;
const chromium = chromiumForTests(BASE);

test(`presence data nested ${DEPTH} deep is entered, heard, listed and read back`, { skip, timeout: 60_000 }, async () => {
  const errors = [];
  const { context, page } = await openTab(chromium.get(), `${BASE}/health`, { name: 'deep', errors, timeout: WAIT });
  try {
    const result = await page.evaluate(async ({ name, ann, bob, depth, wait }) => {
      const { Realtime, Rest } = await import('/pkg/index.js');
      let deep = 'bottom';
      for (let i = 0; i < depth; i++) deep = [deep];
      const depthOf = (value) => { let n = 0; while (Array.isArray(value)) { value = value[0]; n += 1; } return `${n}:${value}`; };
      const [a, b] = [new Realtime(ann), new Realtime(bob)];
      try {
        const heard = new Promise((resolve) => b.channels.get(name).presence.subscribe('enter', resolve));
        await b.channels.get(name).attach();
        await a.channels.get(name).presence.enter(deep);
        const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no enter heard')), wait));
        const event = await Promise.race([heard, timeout]);
        const [member] = await b.channels.get(name).presence.get();
        const rest = new Rest({ authUrl: ann.authUrl, endpoint: ann.endpoint, port: ann.port, tls: false });
        const page = await rest.channels.get(name).presence.get();
        return { heard: depthOf(event.data), listed: depthOf(member.data), rest: depthOf(page.items[0].data) };
      } finally {
        a.close();
        b.close();
      }
    }, { name: uniqueChannel('deep'), ann: rosterOptions('ann'), bob: rosterOptions('bob'), depth: DEPTH, wait: WAIT });
    const expected = `${DEPTH}:bottom`;
    assert.deepEqual(result, { heard: expected, listed: expected, rest: expected });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
