// SPEC §18 from outside: a real cluster serving HTTPS on its one port, talked to by real TLS clients.
// With no files configured (test env) the primary generates a self-signed certificate once, which a client
// can verify by pinning it as its CA; plain HTTP on that port fails; health, metrics and the Docker
// HEALTHCHECK script keep working. With a client CA, `require` refuses clients without a certificate
// that chains to it during the handshake, and `request` serves everyone and logs who was authorized.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { expect } from 'chai';
import { browserChallenge, checkout, HyperswitchNetceteraClient, type Post, readResultsWebhook } from '../helpers/hyperswitch-client.js';
import { ROOT, type RunningServer, startServer } from '../helpers/server.js';
import { createTestCa, issueCertificate, selfSigned, type TestCredentials } from '../helpers/test-pki.js';
import { startReceiver } from '../protocol/receiver.js';

interface Reply {
  status: number;
  body: Record<string, unknown>;
  /** The certificate the server presented, as the client saw it. */
  peerFingerprint: string;
}

interface ClientOptions {
  /** Trust anchors; without them the server certificate is not verified. */
  ca?: string;
  /** The name the certificate must cover (SNI); the IP address dialled when absent. */
  servername?: string | undefined;
  client?: TestCredentials;
  requestId?: string;
}

/** One request on a fresh TLS connection to 127.0.0.1. */
function request(port: number, method: string, p: string, body: unknown, opts: ClientOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: p,
        method,
        agent: false,
        ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
        ...(opts.servername ? { servername: opts.servername } : {}),
        ...(opts.client ? { cert: opts.client.certPem, key: opts.client.keyPem } : {}),
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(opts.requestId ? { 'x-request-id': opts.requestId } : {}),
        },
        timeout: 5000,
      },
      (res) => {
        const peerFingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = { text };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, peerFingerprint });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The error a request ends with; fails the test when it succeeds instead. */
async function refused(p: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  try {
    await p;
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('the request was served');
}

/** Runs the image's HEALTHCHECK script as a process against the server; its exit code. */
function healthcheck(port: number, env: Record<string, string>): number | null {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/healthcheck.mjs')], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return r.status;
}

const fixture = JSON.parse(readFileSync(path.join(ROOT, '../shared/fixtures/authenticate-browser.json'), 'utf8')) as Record<
  string,
  Record<string, unknown>
>;

/** /3ds/version then /3ds/authenticate for a card, over the given client. */
async function versionAndAuthenticate(port: number, pan: string, opts: ClientOptions): Promise<{ version: Reply; auth: Reply }> {
  const version = await request(port, 'POST', '/3ds/version', { cardNumber: pan }, opts);
  expect(version.status, JSON.stringify(version.body)).to.equal(200);
  const areq = {
    ...fixture,
    threeDSServerTransID: version.body.threeDSServerTransID,
    cardholderAccount: { ...fixture.cardholderAccount, acctNumber: pan },
  };
  const auth = await request(port, 'POST', '/3ds/authenticate', areq, opts);
  expect(auth.status, JSON.stringify(auth.body)).to.equal(200);
  return { version, auth };
}

describe('TLS and mTLS on the server port (integration)', function () {
  this.timeout(90_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-tls-'));
  const ca = createTestCa('Merchants CA');
  const serverCreds = issueCertificate(ca, {
    commonName: 'localhost',
    altNames: { dns: ['localhost'], ip: ['127.0.0.1'] },
    extKeyUsage: ['serverAuth'],
  });
  const merchant = issueCertificate(ca, { commonName: 'merchant', extKeyUsage: ['clientAuth'] });
  const stranger = selfSigned({ commonName: 'stranger', extKeyUsage: ['clientAuth'] });
  const file = (name: string, content: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, content);
    return f;
  };
  const files = {
    caCert: file('clients-ca.crt.pem', ca.certPem),
    serverCert: file('server.crt.pem', serverCreds.certPem),
    serverKey: file('server.key.pem', serverCreds.keyPem),
    merchantCert: file('merchant.crt.pem', merchant.certPem),
    merchantKey: file('merchant.key.pem', merchant.keyPem),
    otherCa: file('other-ca.crt.pem', createTestCa('Other CA').certPem),
  };
  const mtlsEnv = (mode: string) => ({
    TLS_ENABLED: 'true',
    TLS_CERT_PATH: files.serverCert,
    TLS_KEY_PATH: files.serverKey,
    TLS_CA_PATH: files.caCert,
    TLS_CLIENT_CERT: mode,
    DATA_DIR: path.join(dir, `data-${mode}`),
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('generated certificate (no files configured)', () => {
    let server: RunningServer;
    const dataDir = path.join(dir, 'data-generated');
    let certPem: string;
    before(async () => {
      server = await startServer({ workers: 2, env: { TLS_ENABLED: 'true', DATA_DIR: dataDir } });
      certPem = readFileSync(path.join(dataDir, 'tls-server.crt.pem'), 'utf8');
    });
    after(async () => server.stop());

    it('is generated once by the primary before the workers start; the ready line says https', () => {
      const made = server.lines.filter((l) => l.msg === 'TLS server certificate ready');
      expect(made.map((l) => [l.role, l.origin])).to.deep.equal([['primary', 'generated']]);
      const ready = server.lines.find((l) => l.msg === 'ready');
      expect(ready).to.include({ scheme: 'https', port: server.port });
      expect(server.lines.indexOf(made[0] as (typeof made)[number])).to.be.below(server.lines.indexOf(ready as (typeof made)[number]));
      const cert = new X509Certificate(certPem);
      expect(cert.subjectAltName).to.equal('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
      expect(cert.keyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.1']);
      expect(made[0]?.fingerprint256).to.equal(cert.fingerprint256);
    });

    it('serves version and authenticate over https, verified against the generated certificate; URLs handed out are https', async () => {
      const expected = new X509Certificate(certPem).fingerprint256;
      // By name (the DNS SAN) and by address (the IP SAN), each with the certificate pinned as the CA.
      for (const servername of ['localhost', undefined]) {
        const { version, auth } = await versionAndAuthenticate(server.port, '4000400040004001', { ca: certPem, servername });
        expect(version.peerFingerprint).to.equal(expected);
        expect(auth.body.transStatus).to.equal('C');
        expect(String(auth.body.acsURL)).to.match(new RegExp(`^https://localhost:${server.port}/`));
      }
      const frictionless = await versionAndAuthenticate(server.port, '4000400040004000', { ca: certPem, servername: 'localhost' });
      expect(frictionless.auth.body.transStatus).to.equal('Y');
      // A name the certificate does not cover fails verification.
      const wrongName = await refused(request(server.port, 'GET', '/health', undefined, { ca: certPem, servername: 'example.test' }));
      expect(wrongName.code).to.equal('ERR_TLS_CERT_ALTNAME_INVALID');
      // Without pinning it, a verifying client refuses the self-signed certificate.
      const unpinned = https.get({ host: '127.0.0.1', port: server.port, path: '/health', agent: false });
      const err = await refused(new Promise((resolve, reject) => unpinned.on('response', resolve).on('error', reject)));
      expect(err.code).to.equal('DEPTH_ZERO_SELF_SIGNED_CERT');
    });

    it('keeps health and metrics working over https', async () => {
      const ready = await request(server.port, 'GET', '/health/ready', undefined, { ca: certPem, servername: 'localhost' });
      expect(ready.status).to.equal(200);
      expect(ready.body).to.include({ status: 'ready' });
      const metrics = await request(server.port, 'GET', '/metrics', undefined, { ca: certPem, servername: 'localhost' });
      expect(metrics.status).to.equal(200);
      expect(String(metrics.body.text)).to.match(/^workers_alive 2$/m);
    });

    it('fails plain HTTP on the TLS port', async () => {
      const req = http.get({ host: '127.0.0.1', port: server.port, path: '/health/ready', agent: false, timeout: 5000 });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      const err = await refused(new Promise((resolve, reject) => req.on('response', resolve).on('error', reject)));
      expect(err.message).to.not.equal('timeout');
    });

    it('passes the Docker HEALTHCHECK script over https (unverified, or verified with a CA file); it fails when it speaks the wrong protocol or distrusts the certificate', () => {
      expect(healthcheck(server.port, { TLS_ENABLED: 'true' })).to.equal(0);
      expect(healthcheck(server.port, { TLS_ENABLED: 'TRUE' })).to.equal(0);
      expect(healthcheck(server.port, { TLS_ENABLED: 'true', HEALTHCHECK_CA_PATH: path.join(dataDir, 'tls-server.crt.pem') })).to.equal(0);
      expect(healthcheck(server.port, { TLS_ENABLED: 'true', HEALTHCHECK_CA_PATH: files.otherCa })).to.equal(1);
      expect(healthcheck(server.port, {})).to.equal(1);
      expect(healthcheck(server.port, { TLS_ENABLED: 'false' })).to.equal(1);
    });
  });

  describe('mTLS, clientCert require', () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer({ workers: 2, env: mtlsEnv('require') });
    });
    after(async () => server.stop());

    it('refuses a client without a certificate, or with one the CA did not issue, in the handshake', async () => {
      const none = await refused(request(server.port, 'GET', '/health', undefined, { ca: ca.certPem, servername: 'localhost' }));
      // TLS 1.3: the server's alert arrives after the client's side of the handshake; before any HTTP.
      expect(none.code).to.be.oneOf(['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ECONNRESET']);
      const foreign = await refused(
        request(server.port, 'GET', '/health', undefined, { ca: ca.certPem, servername: 'localhost', client: stranger }),
      );
      expect(foreign.code).to.be.oneOf(['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'ECONNRESET']);
    });

    it('serves a client whose certificate the configured CA issued: the 3DS flow, health and metrics', async () => {
      const opts = { ca: ca.certPem, servername: 'localhost', client: merchant };
      const { version, auth } = await versionAndAuthenticate(server.port, '4000400040004000', opts);
      expect(version.peerFingerprint).to.equal(serverCreds.cert.fingerprint256);
      expect(auth.body.transStatus).to.equal('Y');
      expect((await request(server.port, 'GET', '/health/ready', undefined, opts)).status).to.equal(200);
      expect((await request(server.port, 'GET', '/metrics', undefined, opts)).status).to.equal(200);
      const ready = server.lines.find((l) => l.msg === 'ready');
      expect(ready).to.include({ scheme: 'https' });
      expect(server.lines.find((l) => l.msg === 'TLS server certificate ready')).to.include({
        origin: 'configured',
        clientCert: 'require',
      });
    });

    it('passes the HEALTHCHECK script only when it presents a client certificate', () => {
      const tls = { TLS_ENABLED: 'true', HEALTHCHECK_CA_PATH: files.caCert };
      expect(
        healthcheck(server.port, { ...tls, HEALTHCHECK_CERT_PATH: files.merchantCert, HEALTHCHECK_KEY_PATH: files.merchantKey }),
      ).to.equal(0);
      expect(healthcheck(server.port, tls)).to.equal(1);
    });
  });

  describe('reload', () => {
    let server: RunningServer | undefined;
    after(async () => server?.stop());

    it('turns TLS on by SIGHUP with a rolling restart; TLS files that do not load keep the running configuration', async () => {
      const cfg = file('reload.json', '{}');
      const dataDir = path.join(dir, 'data-reload');
      const s = await startServer({ workers: 2, env: { DATA_DIR: dataDir }, args: ['--config', cfg] });
      server = s;
      expect(s.lines.find((l) => l.msg === 'ready')).to.include({ scheme: 'http' });
      expect((await fetch(s.url('/health/ready'))).status).to.equal(200);
      expect(healthcheck(s.port, {})).to.equal(0);
      expect(healthcheck(s.port, { TLS_ENABLED: 'true' })).to.equal(1);

      // Files that cannot be read: the new workers could not listen, so nothing changes.
      writeFileSync(
        cfg,
        JSON.stringify({ server: { tls: { enabled: true, certPath: path.join(dir, 'absent.crt'), keyPath: files.serverKey } } }),
      );
      s.signal('SIGHUP');
      const failed = await s.waitForLog((l) => l.msg === 'configuration reload failed; keeping the running configuration');
      expect(String(failed.problems)).to.match(/cannot read the TLS certificate/);
      expect((await fetch(s.url('/health/ready'))).status).to.equal(200);

      writeFileSync(cfg, JSON.stringify({ server: { tls: { enabled: true } } }));
      s.signal('SIGHUP');
      const rolling = await s.waitForLog((l) => l.msg === 'configuration reloaded; rolling restart of the workers');
      expect(rolling.changed).to.include('server.tls.enabled');
      // Once both workers are replaced, every fresh connection speaks TLS.
      const deadline = Date.now() + 30_000;
      let served = 0;
      while (served < 6 && Date.now() < deadline) {
        const ok = await request(s.port, 'GET', '/health/ready', undefined).then(
          (r) => r.status === 200,
          () => false,
        );
        served = ok ? served + 1 : 0;
        if (!ok) await new Promise((r) => setTimeout(r, 100));
      }
      expect(served, 'consecutive https answers after the roll').to.equal(6);
      const certPem = readFileSync(path.join(dataDir, 'tls-server.crt.pem'), 'utf8');
      const verified = await request(s.port, 'GET', '/health/ready', undefined, { ca: certPem, servername: 'localhost' });
      expect(verified.status).to.equal(200);
      expect(healthcheck(s.port, { TLS_ENABLED: 'true' })).to.equal(0);
      // A fresh plain connection fails (a keep-alive one to an old worker may live out its grace period).
      const plain = http.get({ host: '127.0.0.1', port: s.port, path: '/health/ready', agent: false, timeout: 5000 });
      await refused(new Promise((resolve, reject) => plain.on('response', resolve).on('error', reject)));
    });
  });

  describe('mTLS, clientCert request', () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer({ workers: 2, env: mtlsEnv('request') });
    });
    after(async () => server.stop());

    it('serves clients with and without a certificate; the access line says which were authorized', async () => {
      const base = { ca: ca.certPem, servername: 'localhost' };
      const cases = [
        ['with', { ...base, client: merchant }, 'authorized'],
        ['without', base, 'none'],
        ['foreign', { ...base, client: stranger }, 'none'],
      ] as const;
      for (const [name, opts, expected] of cases) {
        const requestId = `tls-request-${name}`;
        const { auth } = await versionAndAuthenticate(server.port, '4000400040004000', { ...opts, requestId });
        expect(auth.body.transStatus, name).to.equal('Y');
        const line = await server.waitForLog((l) => l.msg === 'request' && l.requestId === requestId);
        expect(line.tlsClient, name).to.equal(expected);
      }
      expect(healthcheck(server.port, { TLS_ENABLED: 'true' })).to.equal(0);
    });

    it("runs Hyperswitch's connector over mTLS, while the cardholder's browser, without a certificate, completes the challenge", async () => {
      const hooks = await startReceiver();
      const shop = await startReceiver();
      try {
        const trust = { ca: ca.certPem, servername: 'localhost' };
        const connector = new HyperswitchNetceteraClient(`https://localhost:${server.port}`, tlsPost({ ...trust, client: merchant }));
        const card = { number: '4000400040004001', expiryMonth: '11', expiryYear: '2029', cvc: '737', network: 'Visa' } as const;
        const v = await connector.versioning(card);
        if (v.read.kind !== 'ok') throw new Error(`versioning answered ${v.status}: ${JSON.stringify(v.body)}`);
        const input = checkout(v.read, card.number, {
          card,
          returnUrl: shop.url('/payments/return'),
          webhookUrl: hooks.url('/webhooks/netcetera'),
        });
        const a = await connector.authentication(input);
        if (a.read.kind !== 'ok' || a.read.flow.type !== 'challenge')
          throw new Error(`authentication answered ${a.status}: ${JSON.stringify(a.body)}`);
        expect(a.read.flow.params.acsUrl).to.match(new RegExp(`^https://localhost:${server.port}/`));
        const posted = await browserChallenge(a.read.flow.params, '1234', tlsPost(trust));
        expect(posted.action).to.equal(shop.url('/payments/return'));
        await hooks.waitFor(1);
        expect(readResultsWebhook(hooks.received[0]?.body)).to.include({
          threeDSServerTransID: v.read.threeDSServerTransID,
          transStatus: 'Y',
        });
        // The connector's calls were authorized by its certificate; the browser's carried none.
        const lines = server.lines.filter((l) => l.msg === 'request' && typeof l.route === 'string');
        const tlsClientOf = (route: string) => [...new Set(lines.filter((l) => l.route === route).map((l) => l.tlsClient))];
        expect(tlsClientOf('/3ds/versioning')).to.deep.equal(['authorized']);
        expect(tlsClientOf('/3ds/authentication')).to.deep.equal(['authorized']);
        expect(tlsClientOf(new URL(a.read.flow.params.acsUrl as string).pathname)).to.deep.equal(['none']);
      } finally {
        await hooks.close();
        await shop.close();
      }
    });
  });
});

/** A POST over https (with a client certificate when given) or plain http, for the Hyperswitch-shaped client. */
function tlsPost(opts: ClientOptions): Post {
  return (url, body, contentType) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const mod = u.protocol === 'https:' ? https : http;
      const req = mod.request(
        url,
        {
          method: 'POST',
          agent: false,
          headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
          ...(u.protocol === 'https:' && {
            ...(opts.ca ? { ca: opts.ca } : {}),
            ...(opts.servername ? { servername: opts.servername } : {}),
            ...(opts.client ? { cert: opts.client.certPem, key: opts.client.keyPem } : {}),
          }),
          timeout: 5000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
}
