import { expect } from 'chai';
import { parseHostPort, planRedisConnection, reconnectDelay } from '../../src/store/redis-connection.js';

const base = { url: '', mode: 'standalone', nodes: [] as string[], sentinelName: 'mymaster', password: '', connectTimeoutMs: 1500 };
const plan = (over: Partial<typeof base>) => planRedisConnection({ redis: { ...base, ...over }, commandTimeoutMs: 700, scripts: {} });

describe('Redis connection plan', () => {
  it('standalone: the URL, fail-fast options, one auto-pipelined connection', () => {
    const p = plan({ url: 'redis://cache:6380/2' });
    expect(p.mode).to.equal('standalone');
    if (p.mode !== 'standalone') return;
    expect(p.url).to.equal('redis://cache:6380/2');
    expect(p.options).to.include({
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: 700,
      connectTimeout: 1500,
    });
    expect(p.options.retryStrategy?.(3)).to.be.a('number');
  });

  it('sentinel: the Sentinel nodes, master name and password', () => {
    const p = plan({ mode: 'sentinel', nodes: ['s1:26379', 's2:26380'], sentinelName: 'payments', password: 'pw' });
    expect(p.mode).to.equal('sentinel');
    if (p.mode !== 'sentinel') return;
    expect(p.options.sentinels).to.deep.equal([
      { host: 's1', port: 26379 },
      { host: 's2', port: 26380 },
    ]);
    expect(p.options).to.include({ name: 'payments', password: 'pw', enableOfflineQueue: false });
  });

  it('cluster: seed nodes (or the URL), node options, offline queue off', () => {
    const p = plan({ mode: 'cluster', nodes: ['10.0.0.1:7000', '[::1]:7001'], password: 'pw' });
    expect(p.mode).to.equal('cluster');
    if (p.mode !== 'cluster') return;
    expect(p.nodes).to.deep.equal([
      { host: '10.0.0.1', port: 7000 },
      { host: '::1', port: 7001 },
    ]);
    expect(p.options).to.include({ enableOfflineQueue: false, enableAutoPipelining: true });
    expect(p.options.redisOptions).to.include({ password: 'pw', commandTimeout: 700, maxRetriesPerRequest: 0 });
    const fromUrl = plan({ mode: 'cluster', url: 'redis://:secret@seed:7002' });
    expect(fromUrl.mode === 'cluster' && fromUrl.nodes).to.deep.equal([{ host: 'seed', port: 7002 }]);
    expect(fromUrl.mode === 'cluster' && fromUrl.options.redisOptions?.password).to.equal('secret');
    expect(() => plan({ mode: 'cluster' })).to.throw(/nodes/);
  });

  it('parses node addresses and backs off reconnects up to the cap', () => {
    expect(parseHostPort('h')).to.deep.equal({ host: 'h', port: 6379 });
    expect(() => parseHostPort('a:b:c')).to.throw();
    expect(reconnectDelay(1)).to.be.below(100);
    expect(reconnectDelay(30, 2000)).to.be.within(2000, 2050);
  });
});
