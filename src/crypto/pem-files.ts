// PEM files as the credential loaders use them (the ACS signing pair, the TLS server pair): parsing
// with errors that name the file, reading what may be absent, and publishing a file atomically (written
// under a temporary name, then renamed into place, so a reader never sees half a file and a crash leaves
// no broken one).
import crypto, { type KeyObject, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import { CredentialsError } from './crypto-errors.js';

export function parseKey(pem: string, where: string): KeyObject {
  try {
    return crypto.createPrivateKey(pem);
  } catch (err) {
    throw new CredentialsError(`${where}: not a readable PEM private key (encrypted keys are not supported)`, { cause: err });
  }
}

/** Every certificate of a PEM file, leaf first. */
export function parseCertChain(pem: string, where: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new CredentialsError(`${where}: no PEM certificate found`);
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch (err) {
    throw new CredentialsError(`${where}: certificate does not parse`, { cause: err });
  }
}

export async function readIfExists(p: string): Promise<string | undefined> {
  try {
    return await fs.readFile(p, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CredentialsError(`cannot read ${p}: ${(err as Error).message}`, { cause: err });
  }
}

/** Writes a complete file under a unique temporary name, then renames it into place (atomic). */
export async function publish(target: string, content: string, mode: number): Promise<void> {
  const tmp = `${target}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const fh = await fs.open(tmp, 'wx', mode);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Whether the certificate expires within `ms` from now (0: has expired). */
export function expiresWithin(cert: X509Certificate, ms: number): boolean {
  const validTo = Date.parse(cert.validTo);
  return Number.isFinite(validTo) && validTo - Date.now() <= ms;
}
