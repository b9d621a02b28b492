import { expect } from 'chai';
import { TokenCache } from '../../../functions/authorizer/token-cache';

describe('TokenCache', () => {
  it('returns what was stored until its expiry, and counts hits and misses', () => {
    const cache = new TokenCache<string>(10);
    cache.set('t', 'v', 2000);
    expect(cache.get('t', 1999)).to.equal('v');
    expect(cache.get('t', 2000)).to.equal(undefined);
    expect(cache.get('t', 1000)).to.equal(undefined, 'an expired entry is dropped');
    expect({ hits: cache.hits, misses: cache.misses }).to.deep.equal({ hits: 1, misses: 2 });
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new TokenCache<number>(2);
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    cache.get('a', 0);
    cache.set('c', 3, 10);
    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0)]).to.deep.equal([1, undefined, 3]);
    expect(cache.size).to.equal(2);
  });

  it('stores nothing when its size is 0', () => {
    const cache = new TokenCache<number>(0);
    cache.set('a', 1, 10);
    expect(cache.get('a', 0)).to.equal(undefined);
  });

  it('refuses a negative or fractional size', () => {
    expect(() => new TokenCache(-1)).to.throw(TypeError);
    expect(() => new TokenCache(1.5)).to.throw(TypeError);
  });
});
