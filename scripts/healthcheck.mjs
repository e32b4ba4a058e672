// Container HEALTHCHECK without curl: GET /health/ready on the local port; exit 0 when ready. It reads the
// server's own environment variables (PORT, HEALTH_PATH, TLS_ENABLED), so it follows the image's
// configuration. Under TLS (SPEC §18) it probes over https: the server's certificate is verified only
// when HEALTHCHECK_CA_PATH names a CA file (the generated one covers localhost, 127.0.0.1, ::1; another
// name: HEALTHCHECK_SERVERNAME), and with server.tls.clientCert require it presents
// HEALTHCHECK_CERT_PATH / HEALTHCHECK_KEY_PATH.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const env = process.env;
const port = Number(env.PORT || 8080);
const path = `${(env.HEALTH_PATH || '/health').replace(/\/+$/, '')}/ready`;
// convict's reading of a Boolean variable: set and anything but "false" is true.
const tls = env.TLS_ENABLED !== undefined && env.TLS_ENABLED.toLowerCase() !== 'false';
const file = (p) => (p ? readFileSync(p) : undefined);
const options = { host: '127.0.0.1', port, path, timeout: 2000 };
if (tls) {
  Object.assign(options, {
    // Probing itself over loopback: nothing to verify unless a CA is given.
    rejectUnauthorized: Boolean(env.HEALTHCHECK_CA_PATH),
    ca: file(env.HEALTHCHECK_CA_PATH),
    servername: env.HEALTHCHECK_SERVERNAME || 'localhost',
    cert: file(env.HEALTHCHECK_CERT_PATH),
    key: file(env.HEALTHCHECK_KEY_PATH),
  });
}
const req = (tls ? https : http).get(options, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
