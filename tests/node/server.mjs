// A roster-server of a test's own (built by tests/run.sh: target/debug), for options the
// shared one does not have: its own keys, a short connectionStateTtl.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from './ably.mjs';

const SERVER = fileURLToPath(new URL('../../target/debug/roster-server', import.meta.url));

// Starts roster-server on a free loopback port (or `port`, as a restart on the same one
// does) with `args` besides; resolves with the process and its port once it listens
// (within 30 s). `what` names it in errors.
export async function startServer(args, what, port = 0) {
  const child = spawn(SERVER, ['--bind', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const bound = await within(new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`${what} exited (${code})`)));
  }), 30_000, what);
  child.stdout.resume();
  return { child, port: bound };
}
