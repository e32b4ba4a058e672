// The ACS signing key and certificate (SPEC §6). Configured PEM files are loaded and checked; where
// none are configured (development, test) a key pair and self-signed certificate are generated once
// under protocol.signing.dataDir and reused by later starts. Production refuses to start without
// configured files. One process writes them: the primary, before it forks workers (or rolls them to a new
// configuration), through loadAcsCredentials; workers only read them (readAcsCredentials), so no two
// writers ever race. Files are written under temporary names and renamed into place, so a reader never
// sees half a file and a crash leaves no broken one.
import crypto, { type KeyObject, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import { CredentialsError } from './crypto-errors.js';
import type { SigningAlg } from './crypto-types.js';
import type { JwsSigningKey } from './jws.js';
import { expiresWithin, parseCertChain, parseKey, publish, readIfExists } from './pem-files.js';
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

/** Generated certificates are renewed when they expire within this. */
const RENEW_MS = 86_400_000;

/** Where development and test keep the generated pair of an algorithm. */
export function generatedPaths(dataDir: string, alg: SigningAlg): { keyPath: string; certPath: string } {
  const base = path.join(dataDir, `acs-signing-${alg.toLowerCase()}`);
  return { keyPath: `${base}.key.pem`, certPath: `${base}.crt.pem` };
}

type Source =
  | { kind: 'configured'; alg: SigningAlg; keyPath: string; certPath: string }
  | { kind: 'generated'; alg: SigningAlg; dataDir: string };

/** Where the credentials of this configuration come from. */
function sourceOf(opts: LoadCredentialsOptions): Source {
  const { config } = opts;
  const { algorithm: alg, keyPath, certPath, dataDir } = config.protocol.signing;
  const cwd = opts.cwd ?? process.cwd();
  if (Boolean(keyPath) !== Boolean(certPath)) {
    throw new CredentialsError('protocol.signing.keyPath and certPath must be configured together');
  }
  if (keyPath && certPath) return { kind: 'configured', alg, keyPath: path.resolve(cwd, keyPath), certPath: path.resolve(cwd, certPath) };
  if (config.env === 'production') {
    throw new CredentialsError(
      'production needs a configured ACS signing key and certificate (protocol.signing.keyPath / certPath, SIGNING_KEY_PATH / SIGNING_CERT_PATH); refusing to generate one',
    );
  }
  return { kind: 'generated', alg, dataDir: path.resolve(cwd, dataDir) };
}

/**
 * The credentials, generating (or renewing) the development pair when the configuration names no files.
 * The one writer: the primary before it forks workers, or a process that hosts the app itself (tests).
 */
export async function loadAcsCredentials(opts: LoadCredentialsOptions): Promise<AcsCredentials> {
  const src = sourceOf(opts);
  if (src.kind === 'configured') return loadConfigured(src.alg, src.keyPath, src.certPath, opts.logger);
  return loadGenerated(src.alg, src.dataDir, opts.logger);
}

/**
 * The credentials as a worker takes them: configured files, or the pair loadAcsCredentials prepared.
 * Never writes; a missing or unusable generated pair is an error (the primary makes it before forking).
 */
export async function readAcsCredentials(opts: LoadCredentialsOptions): Promise<AcsCredentials> {
  const src = sourceOf(opts);
  if (src.kind === 'configured') return loadConfigured(src.alg, src.keyPath, src.certPath, opts.logger);
  const { keyPath, certPath } = generatedPaths(src.dataDir, src.alg);
  const key = await readKey(keyPath, src.alg);
  if (!key) throw new CredentialsError(`${keyPath} is missing: the primary generates the development key before it starts workers`);
  const chain = await readCertFor(certPath, key);
  if (!chain)
    throw new CredentialsError(
      `${certPath} is missing or not the certificate of ${keyPath}: the primary writes it before it starts workers`,
    );
  const creds = assemble(src.alg, key, chain, 'reused', keyPath, certPath);
  logLoaded(opts.logger, creds);
  return creds;
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

function assemble(
  alg: SigningAlg,
  key: KeyObject,
  chain: X509Certificate[],
  origin: AcsCredentials['origin'],
  keyPath: string,
  certPath: string,
): AcsCredentials {
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
  if (expiresWithin(creds.certificate, 0))
    logger?.warn('the configured ACS certificate has expired: SDKs will reject acsSignedContent', { certPath });
  logLoaded(logger, creds);
  return creds;
}

/** The key at keyPath; undefined when there is none. A file that is not a usable key is an error, never overwritten. */
async function readKey(keyPath: string, alg: SigningAlg): Promise<KeyObject | undefined> {
  const pem = await readIfExists(keyPath);
  if (pem === undefined) return undefined;
  try {
    const key = parseKey(pem, keyPath);
    checkKeyFits(key, alg, keyPath);
    return key;
  } catch (err) {
    throw new CredentialsError(`${(err as Error).message}; delete ${keyPath} to have a new one generated`, { cause: err });
  }
}

/** The certificate chain at certPath if it is intact and the key's; undefined otherwise (missing, foreign, damaged). */
async function readCertFor(certPath: string, key: KeyObject): Promise<X509Certificate[] | undefined> {
  const pem = await readIfExists(certPath);
  if (pem === undefined) return undefined;
  try {
    const chain = parseCertChain(pem, certPath);
    const leaf = chain[0] as X509Certificate;
    // Ours is self-signed: its signature must hold too (a damaged file is replaced).
    const intact = leaf.issuer !== leaf.subject || leaf.verify(leaf.publicKey);
    return leaf.checkPrivateKey(key) && intact ? chain : undefined;
  } catch {
    return undefined;
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
  let key = await readKey(keyPath, alg);
  if (!key) {
    const pem = await generateKeyPem(alg);
    await publish(keyPath, pem, 0o600);
    key = parseKey(pem, keyPath);
    origin = 'generated';
  }
  let chain = await readCertFor(certPath, key);
  if (!chain || expiresWithin(chain[0] as X509Certificate, RENEW_MS)) {
    const der = buildSelfSignedCertificate(key);
    const made = new X509Certificate(der);
    if (!made.verify(crypto.createPublicKey(key))) throw new CredentialsError('the generated ACS certificate does not verify');
    await publish(certPath, certificatePem(der), 0o644);
    chain = [made];
  }
  const creds = assemble(alg, key, chain, origin, keyPath, certPath);
  logLoaded(logger, creds);
  return creds;
}
