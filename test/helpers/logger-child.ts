// Run by test/integration/logger.test.ts: logs to stdout through createLogger, then leaves at once, as the
// primary and the workers do (process.exit right after their last line, or a fatal line first).
//   argv: <async-exit | async-fatal | sync-kill | async-fatal-stuck-pool> <lines> [fifo]
// async-fatal-stuck-pool first fills libuv's thread pool (UV_THREADPOOL_SIZE, set by the test) with opens
// of a FIFO nobody writes: they block until the test lets them go, as a pool busy with slow disk, DNS or
// crypto work would. It writes "exiting" to stderr just before process.exit, so the test knows every line
// that was written synchronously is in the pipe.
import { open, writeSync } from 'node:fs';
import { createLogger } from '../../src/logger.js';

const [mode = '', count = '0', fifo = ''] = process.argv.slice(2);
const n = Number(count);
const log = createLogger('info', { pid: process.pid, worker: 1 }, { sync: mode.startsWith('sync') });
if (mode === 'async-fatal-stuck-pool') {
  for (let i = 0; i < Number(process.env.UV_THREADPOOL_SIZE); i++) open(fifo, 'r', () => {});
}
// Asynchronously, the first line is handed to the write in flight and the rest wait in the buffer.
for (let i = 0; i < n; i++) log.info('line', { i, card: '4111111111111111' });
if (mode === 'async-fatal' || mode === 'async-fatal-stuck-pool') {
  log.fatal('bye', { i: n });
  if (mode === 'async-fatal-stuck-pool') writeSync(2, 'exiting\n');
  process.exit(1);
}
// Written synchronously, every line is out already: nothing is left for an exit hook to flush.
if (mode === 'sync-kill') process.kill(process.pid, 'SIGKILL');
process.exit(0);
