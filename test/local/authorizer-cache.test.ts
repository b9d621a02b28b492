import { expect } from 'chai';
import { AuthorizerCache } from '../../local/authorizer-cache';

describe('AuthorizerCache', () => {
  it('keeps an entry for the TTL and drops it once the TTL has passed', () => {
    let now = 1_000_000;
    const cache = new AuthorizerCache<string>({ ttlSeconds: 300, now: () => now });
    cache.set('token', 'policy');
    now += 299_999;
    expect(cache.get('token')).to.equal('policy');
    now += 1;
    expect(cache.get('token')).to.equal(undefined);
    expect(cache.size).to.equal(0);
  });

  it('keeps keys apart', () => {
    const cache = new AuthorizerCache<string>({ ttlSeconds: 60 });
    cache.set('a', '1');
    cache.set('b', '2');
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).to.deep.equal(['1', '2', undefined]);
  });

  it('caches nothing with a TTL of 0, as API Gateway does', () => {
    const cache = new AuthorizerCache<string>({ ttlSeconds: 0 });
    cache.set('token', 'policy');
    expect(cache.get('token')).to.equal(undefined);
  });

  it('evicts expired entries, then the oldest, when full', () => {
    let now = 0;
    const cache = new AuthorizerCache<number>({ ttlSeconds: 10, now: () => now, maxEntries: 3 });
    cache.set('old', 1);
    now = 5_000;
    cache.set('a', 2);
    cache.set('b', 3);
    now = 10_000;
    cache.set('c', 4);
    expect(cache.get('old')).to.equal(undefined);
    cache.set('d', 5);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.get('d')]).to.deep.equal([
      undefined,
      3,
      4,
      5,
    ]);
  });

  it('forgets everything on clear', () => {
    const cache = new AuthorizerCache<string>({ ttlSeconds: 60 });
    cache.set('token', 'policy');
    cache.clear();
    expect(cache.get('token')).to.equal(undefined);
  });

  it('rejects a negative TTL', () => {
    expect(() => new AuthorizerCache({ ttlSeconds: -1 })).to.throw(
      TypeError,
      'ttlSeconds must be >= 0, got -1',
    );
  });
});
