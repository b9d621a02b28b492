import { expect } from 'chai';
import { findAuthorization, MAX_TOKEN_BYTES, parseBearer } from '../../../functions/authorizer/bearer';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';

describe('parseBearer', () => {
  it('accepts one token after the Bearer scheme, in any letter case', () => {
    expect(parseBearer(`Bearer ${JWT}`)).to.deep.equal({ token: JWT });
    expect(parseBearer(`bearer ${JWT}`)).to.deep.equal({ token: JWT });
    expect(parseBearer(`BEARER\t${JWT}`)).to.deep.equal({ token: JWT });
  });

  it('refuses a missing or empty token', () => {
    for (const header of [undefined, '', '   ', 'Bearer', 'Bearer ', 'Bearer    ']) {
      expect(parseBearer(header), String(header)).to.deep.equal({ reason: 'NO_TOKEN' });
    }
  });

  it('refuses other schemes and a bare token', () => {
    for (const header of [`Basic ${JWT}`, `Token ${JWT}`, `DPoP ${JWT}`, JWT, `Bearer:${JWT}`]) {
      expect(parseBearer(header), header).to.deep.equal({ reason: 'NOT_BEARER' });
    }
  });

  it('refuses two tokens, however they are joined', () => {
    for (const header of [`Bearer ${JWT} ${JWT}`, `Bearer ${JWT}, Bearer ${JWT}`, `Bearer ${JWT},${JWT}`]) {
      expect(parseBearer(header), header).to.deep.equal({ reason: 'MALFORMED' });
    }
  });

  it('refuses a token over 8 KB before looking at it', () => {
    const big = `${JWT}${'A'.repeat(MAX_TOKEN_BYTES)}`;
    expect(parseBearer(`Bearer ${big}`)).to.deep.equal({ reason: 'TOKEN_TOO_LARGE' });
    const justFits = `${'A'.repeat(MAX_TOKEN_BYTES - 10)}.e30.c2ln`.slice(-MAX_TOKEN_BYTES);
    expect(parseBearer(`Bearer ${justFits}`)).to.have.property('token');
  });

  it('refuses a token that is not a compact JWS with a signature', () => {
    for (const token of ['abc', 'a.b', 'a.b.', 'a.b.c.d', 'a.b.c=', 'a.b.c+/']) {
      expect(parseBearer(`Bearer ${token}`), token).to.deep.equal({ reason: 'MALFORMED' });
    }
  });
});

describe('findAuthorization', () => {
  it('finds the header whatever its letter case', () => {
    expect(findAuthorization({ authorization: 'x' }, undefined)).to.equal('x');
    expect(findAuthorization({ AUTHORIZATION: 'x' }, null)).to.equal('x');
    expect(findAuthorization({ Authorization: 'x' }, { Authorization: ['x'] })).to.equal('x');
    expect(findAuthorization(null, { authorization: ['x'] })).to.equal('x');
  });

  it('is undefined when there is no Authorization header', () => {
    expect(findAuthorization({ accept: 'x' }, {})).to.equal(undefined);
    expect(findAuthorization(null, null)).to.equal(undefined);
  });

  it('is null when the header appears more than once', () => {
    expect(findAuthorization({ authorization: 'x', Authorization: 'y' }, undefined)).to.equal(null);
    expect(findAuthorization({ Authorization: 'x' }, { Authorization: ['x', 'y'] })).to.equal(null);
    expect(findAuthorization({ Authorization: 'x' }, { authorization: ['y'] })).to.equal(null);
  });
});
