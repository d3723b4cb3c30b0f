// Shared launcher for the Debian Chromium used by the browser tests.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { BASE, rosterOptions, uniqueChannel } from './ably.mjs';

/** Flags that keep headless Chromium quiet and off the network beyond loopback. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches /usr/bin/chromium headless; with `backForwardCache` pages may go into the
 * back/forward cache, which Playwright otherwise turns off; with `exposeGc` pages can
 * call `gc()`.
 */
export function launchChromium({ backForwardCache = false, exposeGc = false } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: exposeGc ? [...CHROMIUM_ARGS, '--js-flags=--expose-gc'] : CHROMIUM_ARGS,
    ignoreDefaultArgs: backForwardCache ? ['--disable-back-forward-cache'] : [],
    timeout: 30_000,
  });
}

/**
 * The Chromium for one test file: launched (with `options` for launchChromium) before
 * its tests when `isNeeded` (there is a server to test against), closed after them.
 * Call `get()` inside a test.
 */
export function chromiumForTests(isNeeded, options) {
  let browser;
  before(async () => {
    if (isNeeded) browser = await launchChromium(options);
  });
  after(async () => {
    await browser?.close();
  });
  return { get: () => browser };
}

/**
 * A tab in a fresh context (its own cookies, storage and network state) on `url`, with
 * `timeout` as its default wait; its uncaught errors go to `errors` as "NAME: message".
 */
export async function openTab(browser, url, { name, errors, timeout }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (err) => errors.push(`${name}: ${err.message}`));
  await page.goto(url);
  return { context, page };
}

/**
 * Runs `body(roster, options, name)` in a fresh tab of `browser` with the package's full
 * entry imported as `roster`: `options(clientId, authParams?)` are dev-auth options for
 * that clientId (its authParams extended by `authParams`), `name` a fresh channel name
 * starting with `label`. Returns its result; uncaught page errors fail the test.
 */
export async function inRosterTab(browser, label, body) {
  const errors = [];
  const { context, page } = await openTab(browser, `${BASE}/health`, { name: label, errors, timeout: 10_000 });
  try {
    const result = await page.evaluate(async ({ source, options, name }) => {
      const roster = await import('/pkg/index.js');
      const forClient = (clientId, authParams = {}) => ({ ...options, authParams: { clientId, ...authParams }, clientId });
      return new Function('roster', 'options', 'name', `return (${source})(roster, options, name)`)(roster, forClient, name);
    }, { source: body.toString(), options: rosterOptions('x'), name: uniqueChannel(label) });
    assert.deepEqual(errors, []);
    return result;
  } finally {
    await context.close();
  }
}
