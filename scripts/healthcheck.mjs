// Container HEALTHCHECK without curl: GET /health/ready on the local port; exit 0 when ready.
import http from 'node:http';

const port = Number(process.env.PORT || 8080);
const path = `${(process.env.HEALTH_PATH || '/health').replace(/\/+$/, '')}/ready`;
const req = http.get({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
