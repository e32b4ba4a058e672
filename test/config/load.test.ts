// One test per rejected configuration value (piscina's option-validation style), plus precedence and
// aliases; the values' types are checked too (by tsc, as the tests are type-checked).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { type Config, ConfigError, configFileFromArgv, type LogLevel, loadConfig } from '../../src/config/index.js';
import { expectThrow } from '../helpers/expect-error.js';

describe('config/load', () => {
  let dir: string;
  const file = (obj: unknown) => {
    const f = path.join(dir, `c${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, typeof obj === 'string' ? obj : JSON.stringify(obj));
    return f;
  };
  const load = (env: Record<string, string> = {}, extra?: unknown) =>
    loadConfig({ env: { NODE_ENV: 'test', ...env }, extraFile: extra === undefined ? undefined : file(extra) });
  const rejects = (env: Record<string, string>, extra: unknown, pattern: RegExp) =>
    expectThrow(() => load(env, extra), ConfigError, pattern, 'loading the configuration');

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads default + test files with the defaults of SPEC §9', () => {
    const { config, files } = load();
    expect(files.map((f) => path.basename(f))).to.deep.equal(['default.json', 'test.json']);
    expect(config.server.port).to.equal(8080);
    expect(config.store.prefix).to.equal('3ds_transaction');
    expect(config.store.ttlSeconds).to.equal(1800);
    expect(config.http.bodyLimitBytes).to.equal(65536);
    expect(config.protocol.ranges.length).to.be.greaterThan(5);
    expect(config.protocol.scenarios['4001']?.challenge).to.equal('text');
    expect(Object.isFrozen(config.server)).to.equal(true);
  });

  it('types the enumerated keys as their literal unions, not string', () => {
    const { config } = load({ LOG_LEVEL: 'debug', SIGNING_ALGORITHM: 'ES256', RATE_LIMIT_HEADERS: 'off' });
    const level: LogLevel = config.logging.level;
    const alg: 'PS256' | 'ES256' = config.protocol.signing.algorithm;
    const headers: 'draft-7' | 'draft-8' | 'off' = config.http.rateLimit.headers;
    const backend: 'auto' | 'embedded' | 'redis' = config.store.backend;
    const mode: 'standalone' | 'sentinel' | 'cluster' = config.store.redis.mode;
    const env: 'development' | 'production' | 'test' = config.env;
    expect([level, alg, headers, backend, mode, env]).to.deep.equal(['debug', 'ES256', 'off', 'auto', 'standalone', 'test']);
    // @ts-expect-error a plain string is not a log level (fails to compile if the union widens to string)
    const widened: Config['logging']['level'] = String('loud');
    expect(widened).to.equal('loud');
  });

  it('reads the TLS keys (SPEC §18): off by default; a certificate, key and client CA from the environment', () => {
    expect(load().config.server.tls).to.deep.equal({ enabled: false, certPath: '', keyPath: '', caPath: '', clientCert: 'none' });
    const { config } = load({
      TLS_ENABLED: 'true',
      TLS_CERT_PATH: 'c.pem',
      TLS_KEY_PATH: 'k.pem',
      TLS_CA_PATH: 'ca.pem',
      TLS_CLIENT_CERT: 'require',
    });
    const mode: 'none' | 'request' | 'require' = config.server.tls.clientCert;
    expect({ ...config.server.tls, mode }).to.deep.equal({
      enabled: true,
      certPath: 'c.pem',
      keyPath: 'k.pem',
      caPath: 'ca.pem',
      clientCert: 'require',
      mode: 'require',
    });
    // Development and test generate the certificate: TLS alone is enough there, and so is request with a CA.
    expect(load({ TLS_ENABLED: 'true' }).config.server.tls.enabled).to.equal(true);
    expect(load({ TLS_ENABLED: 'true', TLS_CLIENT_CERT: 'request', TLS_CA_PATH: 'ca.pem' }).config.server.tls.clientCert).to.equal(
      'request',
    );
    // Production with configured files passes.
    const prod = load({
      NODE_ENV: 'production',
      SIGNING_KEY_PATH: 'k',
      SIGNING_CERT_PATH: 'c',
      TLS_ENABLED: 'true',
      TLS_CERT_PATH: 'c',
      TLS_KEY_PATH: 'k',
    });
    expect(prod.config.server.tls.enabled).to.equal(true);
  });

  it('honours X-Mock-Scenario outside production only, unless configured (SPEC §4)', () => {
    expect(load().config.protocol.scenarioHeaderEnabled).to.equal(true);
    expect(load({ NODE_ENV: 'development' }).config.protocol.scenarioHeaderEnabled).to.equal(true);
    const prod = { NODE_ENV: 'production', SIGNING_KEY_PATH: 'k', SIGNING_CERT_PATH: 'c' };
    expect(load(prod).config.protocol.scenarioHeaderEnabled).to.equal(false);
    expect(load({ ...prod, SCENARIO_HEADER_ENABLED: 'true' }).config.protocol.scenarioHeaderEnabled).to.equal(true);
    expect(load({ SCENARIO_HEADER_ENABLED: 'false' }).config.protocol.scenarioHeaderEnabled).to.equal(false);
    expect(load().config.protocol.hangMaxMs).to.equal(60000);
    expect(load({ HANG_MAX_MS: '250' }).config.protocol.hangMaxMs).to.equal(250);
  });

  it('accepts RUN_MODE as an alias of NODE_ENV', () => {
    const { config, files } = loadConfig({ env: { RUN_MODE: 'test' } });
    expect(config.env).to.equal('test');
    expect(files.map((f) => path.basename(f))).to.include('test.json');
  });

  it('lets environment variables override files, and --config override the env file', () => {
    const { config } = load({ PORT: '9999' }, { server: { port: 7000, workers: 3 } });
    expect(config.server.port).to.equal(9999);
    expect(config.server.workers).to.equal(3);
  });

  it('finds --config in both spellings', () => {
    expect(configFileFromArgv(['--config', 'a.json'])).to.equal('a.json');
    expect(configFileFromArgv(['--config=b.json'])).to.equal('b.json');
    expect(configFileFromArgv([])).to.equal(undefined);
  });

  it('lists every problem in one error', () => {
    const { problems } = expectThrow(() => load({ PORT: '99999', LOG_LEVEL: 'loud' }, { nope: 1 }), ConfigError);
    expect(problems.length).to.be.at.least(3);
  });

  const cases: [string, Record<string, string>, unknown, RegExp][] = [
    ['an unknown environment', { NODE_ENV: 'staging' }, undefined, /env: "staging"/],
    ['a port above 65535', { PORT: '70000' }, undefined, /server\.port/],
    ['a non-numeric port', { PORT: 'eighty' }, undefined, /server\.port/],
    ['negative workers', { WORKERS: '-1' }, undefined, /server\.workers/],
    ['a public URL that is not a URL', { PUBLIC_URL: 'not a url' }, undefined, /server\.publicUrl/],
    ['a public URL with another scheme', { PUBLIC_URL: 'ftp://x.test' }, undefined, /server\.publicUrl/],
    ['a zero shutdown grace', { SHUTDOWN_GRACE_MS: '0' }, undefined, /server\.shutdownGraceMs/],
    ['an unknown store backend', { STORE_BACKEND: 'mongo' }, undefined, /store\.backend/],
    ['a zero TTL', { STORE_TTL_SECONDS: '0' }, undefined, /store\.ttlSeconds/],
    ['a negative store byte bound', { STORE_MAX_BYTES: '-1' }, undefined, /store\.maxBytes/],
    ['a store byte bound above 2^53', { STORE_MAX_BYTES: '1e20' }, undefined, /store\.maxBytes/],
    ['a fractional store entry bound', { STORE_MAX_ENTRIES: '1.5' }, undefined, /store\.maxEntries/],
    ['an unknown Redis mode', { REDIS_MODE: 'ring' }, undefined, /store\.redis\.mode/],
    ['the redis backend without a URL', { STORE_BACKEND: 'redis' }, undefined, /store\.redis\.url/],
    ['cluster mode without nodes', { STORE_BACKEND: 'redis', REDIS_MODE: 'cluster' }, undefined, /store\.redis\.nodes/],
    ['an L1 TTL above the L2 TTL', { CACHE_TTL_SECONDS: '3600', STORE_TTL_SECONDS: '60' }, undefined, /cache\.ttlSeconds/],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, undefined, /logging\.level/],
    ['a zero body limit', { BODY_LIMIT_BYTES: '0' }, undefined, /http\.bodyLimitBytes/],
    ['unknown rate limit headers', { RATE_LIMIT_HEADERS: 'draft-6' }, undefined, /http\.rateLimit\.headers/],
    ['an unknown signing algorithm', { SIGNING_ALGORITHM: 'HS256' }, undefined, /protocol\.signing\.algorithm/],
    ['an unsupported protocol version', { PROTOCOL_VERSIONS: '2.2.0,3.0' }, undefined, /protocol\.supportedVersions/],
    [
      'test routes in production',
      { NODE_ENV: 'production', TEST_ROUTES: 'true', SIGNING_KEY_PATH: 'k', SIGNING_CERT_PATH: 'c' },
      undefined,
      /server\.testRoutes/,
    ],
    ['production without signing key and certificate', { NODE_ENV: 'production' }, undefined, /protocol\.signing/],
    [
      'a redirect origin that is not an origin',
      { ALLOWED_REDIRECT_ORIGINS: 'https://shop.test/path' },
      undefined,
      /allowedRedirectOrigins/,
    ],
    ['admin tokens that are not an object of names', { ADMIN_TOKENS: '["t0123456789"]' }, undefined, /security\.adminTokens/],
    ['an admin token name with a space', { ADMIN_TOKENS: '{"qa alice":"t0123456789"}' }, undefined, /token name "qa alice"/],
    ['an admin token shorter than 8 characters', { ADMIN_TOKENS: '{"qa":"short"}' }, undefined, /token "qa" must be a string of 8/],
    ['two names with one admin token', { ADMIN_TOKENS: '{"a":"t0123456789","b":"t0123456789"}' }, undefined, /same as another/],
    [
      'a named admin token equal to security.adminToken',
      { ADMIN_TOKEN: 't0123456789', ADMIN_TOKENS: '{"qa":"t0123456789"}' },
      undefined,
      /security\.adminTokens: a token equals security\.adminToken/,
    ],
    ['a zero inspection bound', { INSPECTION_MAX_TRANSACTIONS: '0' }, undefined, /inspection\.maxTransactions/],
    ['an unknown key in a file (strict)', {}, { server: { colour: 'blue' } }, /colour/],
    ['a file that is not JSON', {}, '{ nope', /c[a-z0-9]+\.json/],
    [
      'a card range with start above end',
      {},
      {
        protocol: {
          ranges: [{ scheme: 'visa', start: '4999999999999999', end: '4000000000000000', startVersion: '2.1.0', endVersion: '2.2.0' }],
        },
      },
      /start is above end/,
    ],
    [
      'a card range with a bad PAN',
      {},
      { protocol: { ranges: [{ scheme: 'visa', start: '4x', end: '4999999999999999', startVersion: '2.1.0', endVersion: '2.2.0' }] } },
      /start must be 13-19 digits/,
    ],
    [
      'a card range with a bad version',
      {},
      {
        protocol: {
          ranges: [{ scheme: 'visa', start: '4000000000000000', end: '4999999999999999', startVersion: '2.1', endVersion: '2.2.0' }],
        },
      },
      /startVersion invalid/,
    ],
    ['a scenario with an unknown status', {}, { protocol: { scenarios: { '4000': { transStatus: 'Q' } } } }, /transStatus "Q"/],
    ['a challenge scenario without a UI', {}, { protocol: { scenarios: { '4001': { transStatus: 'C' } } } }, /needs a challenge type/],
    [
      'a scenario keyed by neither digits nor default',
      {},
      { protocol: { scenarios: { abc: { transStatus: 'Y' } } } },
      /scenario key "abc"/,
    ],
    [
      'a scenario name that is not lower-case letters, digits and dashes',
      {},
      { protocol: { scenarios: { '4000': { name: 'Frictionless OK', transStatus: 'Y' } } } },
      /scenario 4000: name must be/,
    ],
    [
      'a scenario name that is a code',
      {},
      { protocol: { scenarios: { '4000': { name: '4001', transStatus: 'Y' } } } },
      /scenario 4000: name/,
    ],
    [
      'two scenarios with one name',
      {},
      {
        protocol: { scenarios: { '4000': { name: 'ok', transStatus: 'Y' }, '4001': { name: 'ok', transStatus: 'C', challenge: 'text' } } },
      },
      /scenario 4001: name "ok" is already the name of 4000/,
    ],
    [
      'the name "default" on another entry',
      {},
      { protocol: { scenarios: { '4000': { name: 'default', transStatus: 'Y' } } } },
      /name "default" selects the default entry/,
    ],
    [
      'an unknown break',
      {},
      { protocol: { scenarios: { '4000': { transStatus: 'Y', broken: 'no-eci' } } } },
      /scenario 4000: broken "no-eci" is not one of/,
    ],
    [
      'a challenge break without a challenge',
      {},
      { protocol: { scenarios: { '4000': { transStatus: 'Y', broken: 'acs-no-answer' } } } },
      /broken "acs-no-answer" needs transStatus C/,
    ],
    ['a zero hang maximum', { HANG_MAX_MS: '0' }, undefined, /protocol\.hangMaxMs/],
    ['zero challenge attempts', { CHALLENGE_MAX_ATTEMPTS: '0' }, undefined, /protocol\.challenge\.maxAttempts/],
    ['an unknown client certificate mode', { TLS_ENABLED: 'true', TLS_CLIENT_CERT: 'optional' }, undefined, /server\.tls\.clientCert/],
    ['a TLS certificate without its key', { TLS_ENABLED: 'true', TLS_CERT_PATH: 'c.pem' }, undefined, /server\.tls\.certPath\/keyPath/],
    ['a TLS key without its certificate', {}, { server: { tls: { keyPath: 'k.pem' } } }, /server\.tls\.certPath\/keyPath/],
    ['required client certificates without a CA', { TLS_ENABLED: 'true', TLS_CLIENT_CERT: 'require' }, undefined, /server\.tls\.caPath/],
    ['requested client certificates without a CA', { TLS_ENABLED: 'true', TLS_CLIENT_CERT: 'request' }, undefined, /server\.tls\.caPath/],
    [
      'client certificates without TLS',
      { TLS_CLIENT_CERT: 'require', TLS_CA_PATH: 'ca.pem' },
      undefined,
      /server\.tls\.clientCert: "require" needs server\.tls\.enabled/,
    ],
    [
      'TLS in production without a configured certificate',
      { NODE_ENV: 'production', SIGNING_KEY_PATH: 'k', SIGNING_CERT_PATH: 'c', TLS_ENABLED: 'true' },
      undefined,
      /server\.tls\.certPath\/keyPath: production/,
    ],
  ];
  for (const [name, env, extra, pattern] of cases) {
    it(`rejects ${name}`, () => {
      rejects(env, extra, pattern);
    });
  }

  it('rejects a missing --config file', () => {
    expect(() => loadConfig({ env: { NODE_ENV: 'test' }, extraFile: path.join(dir, 'absent.json') })).to.throw(
      ConfigError,
      /--config: file not found/,
    );
  });
});
