// A loopback TCP proxy in front of roster-server, for tests that need a transport to fail
// the way networks fail: bytes the server wrote vanish on the way, then the socket dies.
import net from 'node:net';

/**
 * Starts a proxy on 127.0.0.1 to `targetPort`. `blackhole()` makes every connection open
 * now drop what the server sends (the server still sees its writes succeed); `cut()`
 * destroys them all. Connections made later pass everything through.
 */
export async function startProxy(targetPort) {
  const pairs = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, isBlackholed: false };
    pairs.add(pair);
    client.on('data', (bytes) => upstream.write(bytes));
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
