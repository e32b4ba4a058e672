// Tracks the worker's client connections so a drain can be gentle: connections with a request in flight
// finish it (and get `Connection: close`), idle ones are closed only once they have been quiet for a while.
// Closing an idle keep-alive socket at the instant its client reuses it is the classic keep-alive race;
// an active client's socket is never idle for long, so it is let go by its own `Connection: close` instead.
// Over HTTPS (SPEC §18) requests arrive on the TLS socket of 'secureConnection', not on the TCP socket of
// 'connection'; a connection still in its handshake counts too, so a drain does not cut it.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

interface Tracked {
  active: number;
  lastActive: number;
}

export class ConnectionTracker {
  private readonly sockets = new Map<Socket, Tracked>();
  /** Every TCP connection, handshake done or not (for plain HTTP, the same sockets as above). */
  private readonly tcp = new Set<Socket>();

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.tcp.add(socket);
      socket.once('close', () => this.tcp.delete(socket));
    });
    server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.sockets.set(socket, { active: 0, lastActive: Date.now() });
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      const t = this.sockets.get(req.socket);
      if (!t) return;
      t.active++;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        t.active--;
        t.lastActive = Date.now();
      };
      res.once('finish', finish);
      res.once('close', finish);
    });
  }

  get size(): number {
    return this.tcp.size;
  }

  get inFlight(): number {
    let n = 0;
    for (const t of this.sockets.values()) n += t.active;
    return n;
  }

  /** Ends sockets with nothing in flight that have been idle at least `idleMs`. */
  closeIdle(idleMs: number): void {
    const now = Date.now();
    for (const [s, t] of this.sockets) if (t.active === 0 && now - t.lastActive >= idleMs) s.destroySoon();
  }

  destroyAll(): void {
    for (const s of this.sockets.keys()) s.destroy();
    for (const s of this.tcp) s.destroy();
  }
}
