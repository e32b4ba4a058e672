// Child process of the concurrent-first-start test: one "worker" loading the ACS credentials from a
// shared data directory, printing what it ended up with as one JSON line.
import crypto from 'node:crypto';
import { loadAcsCredentials } from '../../../src/crypto/acs-credentials.js';
import { testConfig, withSigning } from '../../crypto/fixtures.js';

const [dataDir, alg, startAt] = process.argv.slice(2) as [string, string, string];
// Start together: wait until the agreed instant so the processes really race.
const wait = Number(startAt) - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));
const creds = await loadAcsCredentials({ config: withSigning(testConfig(), { dataDir, algorithm: alg }) });
const spki = crypto.createPublicKey(creds.privateKey).export({ type: 'spki', format: 'der' });
process.stdout.write(
  `${JSON.stringify({ origin: creds.origin, fingerprint: creds.certificate.fingerprint256, spki: crypto.createHash('sha256').update(spki).digest('hex') })}\n`,
);
