import { expect } from 'chai';
import { header, optional, parseFormText, readBody } from '../../../functions/auth/form';
import { OAuthError } from '../../../functions/auth/oauth-errors';
import { event } from './harness';

describe('parseFormText', () => {
  it('decodes + and percent escapes, and treats an empty value as absent', () => {
    const params = parseFormText('a=x+y%2Bz&b=&c=%E2%82%AC&&');
    expect(params.get('a')).to.equal('x y+z');
    expect(optional(params, 'b')).to.equal(undefined);
    expect(params.get('c')).to.equal('€');
  });

  it('refuses a repeated parameter with a message naming it', () => {
    expect(() => parseFormText('a=1&a=1')).to.throw(OAuthError, 'invalid_request: parameter "a" is repeated');
  });

  it('refuses a parameter name with control characters or none at all', () => {
    expect(() => parseFormText('%00=1')).to.throw(OAuthError);
    expect(() => parseFormText('=1')).to.throw(OAuthError);
  });
});

describe('readBody', () => {
  it('counts bytes, not characters, against the limit', () => {
    expect(() => readBody(event('/auth/token', '€'.repeat(3000)), 8192)).to.throw(
      OAuthError,
      'request body exceeds 8192 bytes',
    );
    expect(readBody(event('/auth/token', 'a'.repeat(8192)), 8192)).to.have.length(8192);
  });

  it('refuses base64 that decodes to invalid UTF-8', () => {
    const body = Buffer.from([0x61, 0x3d, 0xff]).toString('base64');
    expect(() => readBody(event('/auth/token', body, { isBase64Encoded: true }))).to.throw(
      OAuthError,
      'not valid UTF-8',
    );
  });
});

describe('header', () => {
  it('finds a header in any case', () => {
    expect(
      header(event('/auth/token', '', { headers: { AUTHORIZATION: 'Basic x' } }), 'authorization'),
    ).to.equal('Basic x');
  });

  it('refuses a header sent twice under two spellings', () => {
    const e = event('/auth/token', '', { headers: { Authorization: 'Basic a', authorization: 'Basic b' } });
    e.multiValueHeaders = {};
    expect(() => header(e, 'Authorization')).to.throw(OAuthError, 'header "Authorization" is repeated');
  });
});
