// A loopback TCP proxy in front of roster-server, for tests that need a transport to fail
// the way networks fail: bytes the server wrote vanish on the way, then the socket dies.
import net from 'node:net';

/**
 * Starts a proxy on 127.0.0.1 to `targetPort`. `blackhole()` makes every connection open
 * now drop what the server sends (the server still sees its writes succeed); `cut()`
 * destroys them all. Connections made later pass everything through, except that with
 * `spoilResumes(true)` a WebSocket request's `resume` key is replaced by one the server
 * does not know, as when the server no longer holds the connection's state. With
 * `refuse(true)` new connections are closed as they come, as when the network is down.
 */
export async function startProxy(targetPort) {
  const pairs = new Set();
  let isSpoilingResumes = false;
  let isRefusing = false;
  const server = net.createServer((client) => {
    if (isRefusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, isBlackholed: false };
    pairs.add(pair);
    let isFirst = true;
    client.on('data', (bytes) => {
      // The request line comes in the first chunk: loopback does not split it.
      if (isFirst && isSpoilingResumes) bytes = Buffer.from(bytes.toString('latin1').replace(/([?&]resume=)[^&\s]*/, '$1gone'), 'latin1');
      isFirst = false;
      upstream.write(bytes);
    });
    upstream.on('data', (bytes) => {
      if (!pair.isBlackholed) client.write(bytes);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    for (const socket of [client, upstream]) {
      socket.on('close', end);
      socket.on('error', end);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    blackhole() {
      for (const pair of pairs) pair.isBlackholed = true;
    },
    spoilResumes(on) {
      isSpoilingResumes = on;
    },
    refuse(on) {
      isRefusing = on;
    },
    cut() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
    },
    close() {
      this.cut();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
