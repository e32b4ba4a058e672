// Baseline: a bare node:http cluster answering every request with one fixed JSON body — the physical
// limit of this stack on this machine, for the ratios of the benchmark.
import cluster from 'node:cluster';
import http from 'node:http';
import os from 'node:os';

const port = Number(process.env.PORT ?? 8090);
const workers = Number(process.env.WORKERS ?? os.availableParallelism());
const body = Buffer.from(process.env.BARE_BODY ?? '{"status":"healthy"}');

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  });
} else {
  http
    .createServer((req, res) => {
      req.resume();
      req.once('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
        res.end(body);
      });
    })
    .listen(port, '127.0.0.1');
}
