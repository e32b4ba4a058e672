// Tracks the worker's client connections so a drain can be gentle: connections with a request in flight
// finish it (and get `Connection: close`), idle ones are closed only once they have been quiet for a while.
// Closing an idle keep-alive socket at the instant its client reuses it is the classic keep-alive race;
// an active client's socket is never idle for long, so it is let go by its own `Connection: close` instead.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

interface Tracked {
  active: number;
  lastActive: number;
}

export class ConnectionTracker {
  private readonly sockets = new Map<Socket, Tracked>();

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
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
    return this.sockets.size;
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
  }
}
