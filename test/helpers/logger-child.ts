// Run by test/integration/logger.test.ts: logs to stdout through createLogger, then leaves at once, as the
// primary and the workers do (process.exit right after their last line, or a fatal line first).
//   argv: <async-exit | async-fatal | sync-kill> <lines>
import { createLogger } from '../../src/logger.js';

const [mode = '', count = '0'] = process.argv.slice(2);
const n = Number(count);
const log = createLogger('info', { pid: process.pid, worker: 1 }, { sync: mode.startsWith('sync') });
// Asynchronously, the first line is handed to the write in flight and the rest wait in the buffer.
for (let i = 0; i < n; i++) log.info('line', { i, card: '4111111111111111' });
if (mode === 'async-fatal') {
  log.fatal('bye', { i: n });
  process.exit(1);
}
// Written synchronously, every line is out already: nothing is left for an exit hook to flush.
if (mode === 'sync-kill') process.kill(process.pid, 'SIGKILL');
process.exit(0);
