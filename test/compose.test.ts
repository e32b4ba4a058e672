// The compose file: server and Redis, both with healthchecks, the server waiting for a healthy Redis.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT } from './helpers/server.js';

describe('compose.yaml', () => {
  const text = readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8');
  const service = (name: string) => {
    const m = new RegExp(`\\n  ${name}:\\n([\\s\\S]*?)(?=\\n  [a-z0-9-]+:\\n|\\nvolumes:|$)`).exec(text);
    return m?.[1] ?? '';
  };

  it('runs Redis with a healthcheck and persistence', () => {
    const redis = service('redis');
    expect(redis).to.match(/image: redis:7/);
    expect(redis).to.match(/healthcheck:[\s\S]*redis-cli", "ping"/);
    expect(redis).to.match(/--appendonly", "yes"/);
  });

  it('runs the server from the Dockerfile against that Redis, after Redis is healthy, with its own healthcheck', () => {
    const app = service('mock-3ds');
    expect(app).to.match(/build: \./);
    expect(app).to.match(/REDIS_URL: redis:\/\/redis:6379/);
    expect(app).to.match(/depends_on:\s*\n\s*redis:\s*\n\s*condition: service_healthy/);
    expect(app).to.match(/healthcheck:[\s\S]*scripts\/healthcheck\.mjs/);
    expect(app).to.match(/init: true/);
  });
});
