// The TLS server certificate and key (SPEC §18), handled like the ACS signing pair: configured PEM files
// are checked; with server.tls.enabled and no files (development, test) a P-256 key and a self-signed
// certificate (SANs localhost, 127.0.0.1, ::1 and server.host when it is a name; purpose serverAuth) are
// generated once under protocol.signing.dataDir and reused by later starts. Production never generates.
// One writer: the primary, before it forks workers or rolls them to a new configuration
// (prepareTlsCredentials); workers only read the files (readTlsServerOptions).
import crypto, { type KeyObject, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createSecureContext, type TlsOptions } from 'node:tls';
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import { CredentialsError } from './crypto-errors.js';
import { expiresWithin, parseCertChain, parseKey, publish, readIfExists } from './pem-files.js';
import { buildSelfSignedCertificate, certificatePem } from './self-signed-cert.js';

export interface TlsCredentials {
  origin: 'configured' | 'generated' | 'reused';
  certPath: string;
  keyPath: string;
  /** Client CA file, when client certificates are asked for. */
  caPath?: string;
  certificate: X509Certificate;
}

export interface TlsCredentialsOptions {
  config: Config;
  logger?: Logger;
  /** Base of relative paths; process.cwd() by default. */
  cwd?: string;
}

const DAY_MS = 86_400_000;
// Apple platforms refuse TLS server certificates valid for more than 825 days, even locally trusted ones.
const VALIDITY_MS = 820 * DAY_MS;
/** A generated certificate is renewed at start when it expires within this. */
const RENEW_MS = 30 * DAY_MS;

/** Where development and test keep the generated server pair. */
export function generatedTlsPaths(dataDir: string): { keyPath: string; certPath: string } {
  return { keyPath: path.join(dataDir, 'tls-server.key.pem'), certPath: path.join(dataDir, 'tls-server.crt.pem') };
}

/** The names the generated certificate covers: loopback always, and server.host when it names a host. */
export function generatedAltNames(config: Config): { dns: string[]; ip: string[] } {
  const dns = ['localhost'];
  const host = config.server.host.trim().toLowerCase();
  if (host && net.isIP(host) === 0 && host !== 'localhost') dns.push(host);
  return { dns, ip: ['127.0.0.1', '::1'] };
}

type Source =
  | { kind: 'configured'; certPath: string; keyPath: string; caPath?: string }
  | { kind: 'generated'; dataDir: string; caPath?: string };

function sourceOf(opts: TlsCredentialsOptions): Source | undefined {
  const { config } = opts;
  const t = config.server.tls;
  if (!t.enabled) return undefined;
  const cwd = opts.cwd ?? process.cwd();
  // The CA file matters only when client certificates are asked for.
  const ca = t.clientCert !== 'none' && t.caPath ? { caPath: path.resolve(cwd, t.caPath) } : {};
  if (Boolean(t.certPath) !== Boolean(t.keyPath)) throw new CredentialsError('server.tls.certPath and keyPath must be configured together');
  if (t.certPath && t.keyPath)
    return { kind: 'configured', certPath: path.resolve(cwd, t.certPath), keyPath: path.resolve(cwd, t.keyPath), ...ca };
  if (config.env === 'production') {
    throw new CredentialsError(
      'production with server.tls.enabled needs a configured certificate and key (server.tls.certPath / keyPath, TLS_CERT_PATH / TLS_KEY_PATH); refusing to generate one',
    );
  }
  return { kind: 'generated', dataDir: path.resolve(cwd, config.protocol.signing.dataDir), ...ca };
}

async function readRequired(p: string, what: string): Promise<string> {
  try {
    return await fs.readFile(p, 'utf8');
  } catch (err) {
    throw new CredentialsError(`cannot read the TLS ${what} at ${p}: ${(err as Error).message}`, { cause: err });
  }
}

/** The CA file's certificates, checked to parse (node would otherwise fail in every worker's listen). */
async function readCa(caPath: string | undefined): Promise<string | undefined> {
  if (caPath === undefined) return undefined;
  const pem = await readRequired(caPath, 'client CA');
  parseCertChain(pem, caPath);
  return pem;
}

/**
 * Checks configured files, or generates (renews) the development pair; undefined when TLS is off.
 * The one writer: the primary before it forks workers or rolls them.
 */
export async function prepareTlsCredentials(opts: TlsCredentialsOptions): Promise<TlsCredentials | undefined> {
  const src = sourceOf(opts);
  if (src === undefined) return undefined;
  await readCa(src.caPath);
  const creds = src.kind === 'configured' ? await checkConfigured(src, opts.logger) : await prepareGenerated(src, opts.config);
  // What every worker will do next: fails here, once, for anything node's TLS refuses.
  await readTlsServerOptions(opts);
  opts.logger?.info('TLS server certificate ready', {
    origin: creds.origin,
    certPath: creds.certPath,
    subjectAltName: creds.certificate.subjectAltName,
    validTo: creds.certificate.validTo,
    fingerprint256: creds.certificate.fingerprint256,
    clientCert: opts.config.server.tls.clientCert,
    ...(creds.caPath ? { caPath: creds.caPath } : {}),
  });
  return creds;
}

async function checkConfigured(src: Extract<Source, { kind: 'configured' }>, logger?: Logger): Promise<TlsCredentials> {
  const key = parseKey(await readRequired(src.keyPath, 'key'), src.keyPath);
  const leaf = parseCertChain(await readRequired(src.certPath, 'certificate'), src.certPath)[0] as X509Certificate;
  if (!leaf.checkPrivateKey(key))
    throw new CredentialsError(`${src.certPath}: the first certificate is not the one of the key in ${src.keyPath}`);
  if (expiresWithin(leaf, 0))
    logger?.warn('the configured TLS certificate has expired: clients will refuse it', { certPath: src.certPath });
  return { origin: 'configured', certPath: src.certPath, keyPath: src.keyPath, certificate: leaf, ...caOf(src) };
}

const caOf = (src: Source) => (src.caPath ? { caPath: src.caPath } : {});

/** Whether a generated certificate still serves: the key's, intact, not expiring soon, naming every name. */
function stillGood(cert: X509Certificate, key: KeyObject, names: { dns: string[]; ip: string[] }): boolean {
  if (!cert.checkPrivateKey(key) || !cert.verify(crypto.createPublicKey(key)) || expiresWithin(cert, RENEW_MS)) return false;
  return (
    names.dns.every((n) => cert.checkHost(n, { wildcards: false }) !== undefined) && names.ip.every((a) => cert.checkIP(a) !== undefined)
  );
}

async function prepareGenerated(src: Extract<Source, { kind: 'generated' }>, config: Config): Promise<TlsCredentials> {
  const { keyPath, certPath } = generatedTlsPaths(src.dataDir);
  try {
    await fs.mkdir(src.dataDir, { recursive: true });
  } catch (err) {
    throw new CredentialsError(`cannot create protocol.signing.dataDir ${src.dataDir}: ${(err as Error).message}`, { cause: err });
  }
  let origin: TlsCredentials['origin'] = 'reused';
  const keyPem = await readIfExists(keyPath);
  let key: KeyObject;
  if (keyPem === undefined) {
    // P-256: generated in well under a millisecond, and the cheapest handshake.
    key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await publish(keyPath, key.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
    origin = 'generated';
  } else {
    try {
      key = parseKey(keyPem, keyPath);
    } catch (err) {
      throw new CredentialsError(`${(err as Error).message}; delete ${keyPath} to have a new one generated`, { cause: err });
    }
  }
  const names = generatedAltNames(config);
  const certPem = await readIfExists(certPath);
  let cert: X509Certificate | undefined;
  try {
    cert = certPem === undefined ? undefined : parseCertChain(certPem, certPath)[0];
  } catch {
    cert = undefined;
  }
  if (cert === undefined || !stillGood(cert, key, names)) {
    const now = Date.now();
    const der = buildSelfSignedCertificate(key, {
      commonName: 'localhost',
      organization: 'Mock 3DS Server (development TLS)',
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + VALIDITY_MS),
      altNames: names,
      extKeyUsage: ['serverAuth'],
    });
    cert = new X509Certificate(der);
    await publish(certPath, certificatePem(der), 0o644);
    if (origin === 'reused') origin = 'generated';
  }
  return { origin, certPath, keyPath, certificate: cert, ...caOf(src) };
}

/**
 * The https.createServer options of this configuration, read from the files the primary prepared;
 * undefined when TLS is off. Never writes: a missing generated pair is an error.
 */
export async function readTlsServerOptions(opts: TlsCredentialsOptions): Promise<TlsOptions | undefined> {
  const src = sourceOf(opts);
  if (src === undefined) return undefined;
  const paths = src.kind === 'configured' ? src : generatedTlsPaths(src.dataDir);
  const key = await readRequired(paths.keyPath, 'key');
  const cert = await readRequired(paths.certPath, 'certificate');
  const ca = await readCa(src.caPath);
  const mode = opts.config.server.tls.clientCert;
  const options: TlsOptions = {
    key,
    cert,
    ...(ca === undefined ? {} : { ca }),
    // require: a client without a certificate that chains to the CA fails the handshake; request: it is
    // served, and the socket's `authorized` tells the two apart.
    requestCert: mode !== 'none',
    rejectUnauthorized: mode === 'require',
  };
  try {
    createSecureContext(options);
  } catch (err) {
    throw new CredentialsError(`node's TLS refuses ${paths.certPath} / ${paths.keyPath}: ${(err as Error).message}`, { cause: err });
  }
  return options;
}
