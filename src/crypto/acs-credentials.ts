// The ACS signing key and certificate (SPEC §6). Configured PEM files are loaded and checked; where
// none are configured (development, test) a key pair and self-signed certificate are generated once
// under protocol.signing.dataDir and reused by later starts. Production refuses to start without
// configured files. Several worker processes may start at once: files are written under temporary
// names and published atomically, the key by an exclusive link (first writer wins, losers read the
// winner's key), the certificate by rename.
import crypto, { type KeyObject, X509Certificate } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { CredentialsError } from './crypto-errors.js';
import type { SigningAlg } from './crypto-types.js';
import type { JwsSigningKey } from './jws.js';
import { buildSelfSignedCertificate, certificatePem } from './self-signed-cert.js';

export interface AcsCredentials extends JwsSigningKey {
  /** Leaf certificate (x5c[0]). */
  certificate: X509Certificate;
  /** PKCS#8 PEM of the private key, for pool threads (workerData). */
  privateKeyPem: string;
  origin: 'configured' | 'generated' | 'reused';
  keyPath: string;
  certPath: string;
}

export interface LoadCredentialsOptions {
  config: Config;
  logger?: Logger;
  /** Base of a relative dataDir; process.cwd() by default. */
  cwd?: string;
}

/**
 * How long after a key file appeared its writer may still be busy (finishing an exclusive copy, or
 * writing the certificate): readers wait until then for the writer rather than race it.
 */
const WAIT_MS = 3_000;
const POLL_MS = 25;
/** Generated certificates are renewed when they expire within this. */
const RENEW_MS = 86_400_000;

/** Where development and test keep the generated pair of an algorithm. */
export function generatedPaths(dataDir: string, alg: SigningAlg): { keyPath: string; certPath: string } {
  const base = path.join(dataDir, `acs-signing-${alg.toLowerCase()}`);
  return { keyPath: `${base}.key.pem`, certPath: `${base}.crt.pem` };
}

export async function loadAcsCredentials(opts: LoadCredentialsOptions): Promise<AcsCredentials> {
  const { config, logger } = opts;
  const { algorithm, keyPath, certPath, dataDir } = config.protocol.signing;
  const alg = algorithm as SigningAlg;
  const cwd = opts.cwd ?? process.cwd();
  if (Boolean(keyPath) !== Boolean(certPath)) {
    throw new CredentialsError('protocol.signing.keyPath and certPath must be configured together');
  }
  if (keyPath && certPath) return loadConfigured(alg, path.resolve(cwd, keyPath), path.resolve(cwd, certPath), logger);
  if (config.env === 'production') {
    throw new CredentialsError(
      'production needs a configured ACS signing key and certificate (protocol.signing.keyPath / certPath, SIGNING_KEY_PATH / SIGNING_CERT_PATH); refusing to generate one',
    );
  }
  return loadGenerated(alg, path.resolve(cwd, dataDir), logger);
}

function checkKeyFits(key: KeyObject, alg: SigningAlg, where: string): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (alg === 'PS256') {
    if (type !== 'rsa' && type !== 'rsa-pss') throw new CredentialsError(`${where}: PS256 needs an RSA key, found ${String(type)}`);
    if ((details.modulusLength ?? 0) < 2048) throw new CredentialsError(`${where}: PS256 needs an RSA key of at least 2048 bits`);
  } else if (type !== 'ec' || details.namedCurve !== 'prime256v1') {
    throw new CredentialsError(`${where}: ES256 needs a P-256 EC key, found ${String(type)} ${details.namedCurve ?? ''}`.trim());
  }
}

function parseKey(pem: string, where: string): KeyObject {
  try {
    return crypto.createPrivateKey(pem);
  } catch (err) {
    throw new CredentialsError(`${where}: not a readable PEM private key (encrypted keys are not supported)`, { cause: err });
  }
}

/** Every certificate of a PEM file, leaf first. */
function parseCertChain(pem: string, where: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new CredentialsError(`${where}: no PEM certificate found`);
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch (err) {
    throw new CredentialsError(`${where}: certificate does not parse`, { cause: err });
  }
}

function assemble(alg: SigningAlg, key: KeyObject, chain: X509Certificate[], origin: AcsCredentials['origin'], keyPath: string, certPath: string): AcsCredentials {
  return {
    alg,
    privateKey: key,
    x5c: chain.map((c) => c.raw.toString('base64')),
    certificate: chain[0] as X509Certificate,
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    origin,
    keyPath,
    certPath,
  };
}

function logLoaded(logger: Logger | undefined, c: AcsCredentials): void {
  logger?.info('ACS signing credentials ready', {
    origin: c.origin,
    alg: c.alg,
    certPath: c.certPath,
    subject: c.certificate.subject.replace(/\n/g, ', '),
    validTo: c.certificate.validTo,
    fingerprint256: c.certificate.fingerprint256,
  });
}

async function loadConfigured(alg: SigningAlg, keyPath: string, certPath: string, logger?: Logger): Promise<AcsCredentials> {
  const read = async (p: string, what: string) => {
    try {
      return await fs.readFile(p, 'utf8');
    } catch (err) {
      throw new CredentialsError(`cannot read the ACS ${what} at ${p}: ${(err as Error).message}`, { cause: err });
    }
  };
  const key = parseKey(await read(keyPath, 'signing key'), keyPath);
  checkKeyFits(key, alg, keyPath);
  const chain = parseCertChain(await read(certPath, 'certificate'), certPath);
  if (!(chain[0] as X509Certificate).checkPrivateKey(key)) {
    throw new CredentialsError(`${certPath}: the first certificate is not the one of the key in ${keyPath}`);
  }
  const creds = assemble(alg, key, chain, 'configured', keyPath, certPath);
  if (expiresWithin(creds.certificate, 0)) logger?.warn('the configured ACS certificate has expired: SDKs will reject acsSignedContent', { certPath });
  logLoaded(logger, creds);
  return creds;
}

function expiresWithin(cert: X509Certificate, ms: number): boolean {
  const validTo = Date.parse(cert.validTo);
  return Number.isFinite(validTo) && validTo - Date.now() <= ms;
}

async function readIfExists(p: string): Promise<string | undefined> {
  try {
    return await fs.readFile(p, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CredentialsError(`cannot read ${p}: ${(err as Error).message}`, { cause: err });
  }
}

/** Until when a concurrent writer of this file may still be at work (0 if the file is absent). */
async function writerDeadline(p: string): Promise<number> {
  try {
    return (await fs.stat(p)).mtimeMs + WAIT_MS;
  } catch {
    return 0;
  }
}

/** Writes a complete file under a unique temporary name next to the target. */
async function writeTemp(target: string, content: string, mode: number): Promise<string> {
  const tmp = `${target}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const fh = await fs.open(tmp, 'wx', mode);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}

/** Publishes tmp as target only if target does not exist yet; false when another process won. */
async function publishExclusive(tmp: string, target: string): Promise<boolean> {
  try {
    await fs.link(tmp, target);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Filesystems without hard links: an exclusive copy (readers retry while it is being written).
    try {
      await fs.copyFile(tmp, target, fsc.COPYFILE_EXCL);
      return true;
    } catch (err2) {
      if ((err2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err2;
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Reads the key file, retrying until `deadline` if a concurrent writer may not have finished. */
async function readKey(keyPath: string, alg: SigningAlg, deadline: number): Promise<KeyObject | undefined> {
  for (;;) {
    const pem = await readIfExists(keyPath);
    if (pem === undefined) return undefined;
    try {
      const key = parseKey(pem, keyPath);
      checkKeyFits(key, alg, keyPath);
      return key;
    } catch (err) {
      if (Date.now() >= deadline) {
        throw new CredentialsError(`${(err as Error).message}; delete ${keyPath} to have a new one generated`, { cause: err });
      }
      await sleep(POLL_MS);
    }
  }
}

/** A usable certificate for the key at certPath, waiting until `deadline` for a concurrent writer. */
async function readCertFor(certPath: string, key: KeyObject, deadline: number): Promise<X509Certificate[] | undefined> {
  for (;;) {
    const pem = await readIfExists(certPath);
    if (pem !== undefined) {
      try {
        const chain = parseCertChain(pem, certPath);
        const leaf = chain[0] as X509Certificate;
        // Ours is self-signed: its signature must hold too (a damaged file is replaced).
        const intact = leaf.issuer !== leaf.subject || leaf.verify(leaf.publicKey);
        if (leaf.checkPrivateKey(key) && intact && !expiresWithin(leaf, RENEW_MS)) return chain;
      } catch {
        // Unreadable or foreign: replaced below unless a writer fixes it first.
      }
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(POLL_MS);
  }
}

function generateKeyPem(alg: SigningAlg): Promise<string> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: KeyObject, priv: KeyObject) =>
      err ? reject(err) : resolve(priv.export({ type: 'pkcs8', format: 'pem' }) as string);
    // Asynchronous: a 2048-bit RSA key takes tens of milliseconds to find.
    if (alg === 'PS256') crypto.generateKeyPair('rsa', { modulusLength: 2048 }, done);
    else crypto.generateKeyPair('ec', { namedCurve: 'P-256' }, done);
  });
}

async function loadGenerated(alg: SigningAlg, dataDir: string, logger?: Logger): Promise<AcsCredentials> {
  const { keyPath, certPath } = generatedPaths(dataDir, alg);
  try {
    await fs.mkdir(dataDir, { recursive: true });
  } catch (err) {
    throw new CredentialsError(`cannot create protocol.signing.dataDir ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
  let origin: AcsCredentials['origin'] = 'reused';
  let lostRace = false;
  let key = await readKey(keyPath, alg, await writerDeadline(keyPath));
  if (!key) {
    const tmp = await writeTemp(keyPath, await generateKeyPem(alg), 0o600);
    if (await publishExclusive(tmp, keyPath)) origin = 'generated';
    else lostRace = true;
    key = await readKey(keyPath, alg, Date.now() + WAIT_MS);
    if (!key) throw new CredentialsError(`${keyPath} vanished while starting`);
  }

  // The winner writes the certificate right after the key; others wait for it (until shortly after
  // the key appeared) rather than publish a second certificate for the same key.
  const deadline = origin === 'generated' ? 0 : lostRace ? Date.now() + WAIT_MS : await writerDeadline(keyPath);
  let chain = await readCertFor(certPath, key, deadline);
  if (!chain) {
    const der = buildSelfSignedCertificate(key);
    const made = new X509Certificate(der);
    if (!made.verify(crypto.createPublicKey(key))) throw new CredentialsError('the generated ACS certificate does not verify');
    const tmp = await writeTemp(certPath, certificatePem(der), 0o644);
    await fs.rename(tmp, certPath);
    // Whoever renamed last owns the file; any certificate for this key is as good as ours.
    chain = (await readCertFor(certPath, key, 0)) ?? [made];
  }
  const creds = assemble(alg, key, chain, origin, keyPath, certPath);
  logLoaded(logger, creds);
  return creds;
}
