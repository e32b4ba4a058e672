// The compose file, read as Compose reads it (YAML with merge keys): the server and Redis, both with
// healthchecks, the server waiting for a healthy Redis; and the two-instances profile (SPEC §19) —
// two instances on that Redis behind nginx with deploy/nginx/nginx.conf, whose upstreams are exactly
// those instances on the port they listen on. test/integration/proxy.test.ts runs that nginx file.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { NGINX_CONF } from './helpers/nginx.js';
import { ROOT } from './helpers/server.js';

interface Service {
  image?: string;
  build?: string;
  init?: boolean;
  command?: string[];
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

describe('compose.yaml', () => {
  const compose = parse(readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
  const service = (name: string): Service => {
    const s = compose.services[name];
    if (!s) throw new Error(`compose.yaml has no service ${name}`);
    return s;
  };
  const instances = ['mock-3ds-a', 'mock-3ds-b'];

  it('runs Redis with a healthcheck and persistence', () => {
    const redis = service('redis');
    expect(redis.image).to.match(/^redis:7/);
    expect(redis.healthcheck?.test).to.deep.equal(['CMD', 'redis-cli', 'ping']);
    expect(redis.command).to.include.members(['--appendonly', 'yes']);
  });

  for (const name of ['mock-3ds', ...instances]) {
    it(`runs ${name} from the Dockerfile against that Redis, after Redis is healthy, with its own healthcheck`, () => {
      const app = service(name);
      expect(app.build).to.equal('.');
      expect(app.init).to.equal(true);
      expect(app.environment?.REDIS_URL).to.equal('redis://redis:6379');
      expect(app.depends_on?.redis?.condition).to.equal('service_healthy');
      expect(app.healthcheck?.test).to.deep.equal(['CMD', 'node', 'scripts/healthcheck.mjs']);
    });
  }

  it('keeps the default `docker compose up` to Redis and one instance on :8080', () => {
    const unprofiled = Object.entries(compose.services)
      .filter(([, s]) => !s.profiles)
      .map(([n]) => n);
    expect(unprofiled).to.have.members(['redis', 'mock-3ds']);
    expect(service('mock-3ds').ports).to.deep.equal(['8080:8080']);
  });

  it('puts the two-instances profile behind nginx: both instances as its upstreams, URLs and client addresses through it', () => {
    const proxy = service('proxy');
    expect(proxy.image).to.match(/^nginx:/);
    expect(proxy.profiles).to.deep.equal(['two-instances']);
    const [published, inside] = (proxy.ports?.[0] ?? '').split(':');
    const mount = proxy.volumes?.find((v) => v.endsWith(':/etc/nginx/nginx.conf:ro')) ?? '';
    expect(path.resolve(ROOT, mount.split(':')[0] as string)).to.equal(NGINX_CONF);
    expect(existsSync(NGINX_CONF)).to.equal(true);
    const conf = readFileSync(NGINX_CONF, 'utf8');
    expect(conf).to.match(new RegExp(`^\\s*listen ${inside};`, 'm'));
    const upstreams = [...conf.matchAll(/^\s*server\s+([a-z0-9-]+):(\d+)\b/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(upstreams).to.deep.equal(instances.map((n) => `${n}:8080`));
    for (const name of instances) {
      const app = service(name);
      expect(app.profiles).to.deep.equal(['two-instances']);
      expect(app.ports, `${name} is reached through the proxy only`).to.equal(undefined);
      expect(app.environment?.PUBLIC_URL).to.equal(`\${PROXY_PUBLIC_URL:-http://localhost:${published}}`);
      expect(app.environment?.TRUST_PROXY).to.equal('1');
      // One token for the admin API and console of both: a generated one would differ per instance.
      expect(app.environment?.ADMIN_TOKEN).to.match(/^\$\{ADMIN_TOKEN:-.+\}$/);
      expect(proxy.depends_on?.[name]?.condition).to.equal('service_healthy');
    }
  });
});
