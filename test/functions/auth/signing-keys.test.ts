import { expect } from 'chai';
import { exportJWK, generateKeyPair } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import {
  importSigningKeys,
  parseSigningKeySecret,
  SigningKeyError,
} from '../../../functions/auth/signing-keys';
import { makePrivateKey } from './harness';

describe('importSigningKeys', () => {
  it('signs with the first key and publishes the public half of all', async () => {
    const keys = await importSigningKeys([
      await makePrivateKey('ES256', 'new'),
      await makePrivateKey('EdDSA', 'old'),
    ]);
    expect(keys.current).to.include({ kid: 'new', alg: 'ES256' });
    expect(keys.jwks.keys.map((key) => Object.keys(key).sort())).to.deep.equal([
      ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
      ['alg', 'crv', 'kid', 'kty', 'use', 'x'],
    ]);
  });

  it('signs ID tokens with the first RSA key and access tokens with the first other one', async () => {
    const keys = await importSigningKeys([
      await makePrivateKey('RS256', 'rsa'),
      await makePrivateKey('EdDSA', 'ed'),
      await makePrivateKey('RS256', 'rsa-old'),
    ]);
    expect(keys.current).to.include({ kid: 'ed', alg: 'EdDSA' });
    expect(keys.all.map((key) => key.kid)).to.deep.equal(['ed']);
    expect(keys.idToken).to.include({ kid: 'rsa', alg: 'RS256' });
    expect(keys.jwks.keys.map((key) => [key.kid, Object.keys(key).sort().join(' ')])).to.deep.equal([
      ['rsa', 'alg e kid kty n use'],
      ['ed', 'alg crv kid kty use x'],
      ['rsa-old', 'alg e kid kty n use'],
    ]);
  });

  it('refuses a public key, a missing or repeated kid, an RSA key alone, a small one and a mismatched alg', async () => {
    const ed = await makePrivateKey('EdDSA', 'a');
    const publicOnly = { ...ed };
    delete publicOnly.d;
    const rsa = {
      ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey)),
      kid: 'r',
    };
    // jose refuses to generate one this small; node:crypto still can, so a secret may hold one.
    const small = {
      ...generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }),
      kid: 's',
    };
    const cases: [unknown[], string][] = [
      [[], 'signing keys: at least one key is required'],
      [[publicOnly], 'signing key 0 (a): not a private key'],
      [[{ ...ed, kid: undefined }], 'signing key 0: "kid" is required'],
      [[ed, ed], 'signing key 1: kid "a" is repeated'],
      [[rsa], 'signing keys: an Ed25519 or P-256 key is required to sign access tokens'],
      [[ed, small], 'signing key 1: an RSA key must have at least 2048 bits'],
      [
        [{ kty: 'oct', k: 'AAAA', kid: 'h', d: 'x' }],
        'signing key 0: unsupported key type. Expected one of: OKP Ed25519, EC P-256, RSA',
      ],
      [[{ ...ed, alg: 'ES256' }], 'signing key 0: alg "ES256" does not match the key type. Expected EdDSA'],
    ];
    for (const [jwks, message] of cases) {
      let caught: unknown;
      await importSigningKeys(jwks as never).catch((error: unknown) => (caught = error));
      expect(caught).to.be.instanceOf(SigningKeyError);
      expect((caught as Error).message).to.equal(message);
    }
  });
});

describe('parseSigningKeySecret', () => {
  it('reads a JSON array or a JWKS object', () => {
    expect(parseSigningKeySecret('[{"kid":"a"}]')).to.deep.equal([{ kid: 'a' }]);
    expect(parseSigningKeySecret('{"keys":[{"kid":"a"}]}')).to.deep.equal([{ kid: 'a' }]);
  });

  it('refuses anything else without echoing the secret', () => {
    expect(() => parseSigningKeySecret('not json d=secret')).to.throw(
      SigningKeyError,
      'signing keys: the secret is not JSON',
    );
    expect(() => parseSigningKeySecret('{"keys":[]}')).to.throw(
      SigningKeyError,
      'expected a non-empty JSON array',
    );
  });
});
