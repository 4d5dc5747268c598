// DAP over TCP: listens on 127.0.0.1 only and runs one HvdbgSession per connection.
import { createServer, type Server } from 'node:net';
import { HvdbgSession } from './session.js';

/** Starts listening on 127.0.0.1:port (0 = any free port); resolves once listening. */
export function serveOnPort(port: number): Promise<Server> {
  const server = createServer((socket) => {
    const session = new HvdbgSession();
    session.setRunAsServer(true);
    socket.on('error', () => socket.destroy());
    session.start(socket, socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
