import { expect } from 'chai';
import { exportJWK, generateKeyPair } from 'jose';
import { ConfigError } from '../../infra/config';
import { publicJwksOf } from '../../infra/signing-key';
import { signingKeySecret } from './support';

const failure = (secret: string): string => {
  try {
    publicJwksOf(secret);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('publicJwksOf', () => {
  it('keeps only the public half of Ed25519 and P-256 keys', async () => {
    const ed = JSON.parse(await signingKeySecret()) as { keys: Record<string, string>[] };
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const ec = { ...(await exportJWK(privateKey)), kid: 'ec-1' };
    const jwks = publicJwksOf(JSON.stringify([ed.keys[0], ec]));
    expect(jwks.keys.map((key) => Object.keys(key).sort())).to.deep.equal([
      ['alg', 'crv', 'kid', 'kty', 'use', 'x'],
      ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
    ]);
    expect(jwks.keys.map((key) => key.alg)).to.deep.equal(['EdDSA', 'ES256']);
  });

  it('names the key without quoting the secret', () => {
    expect(failure('not json d=secret')).to.equal(
      'scopegate:signingKey: is not JSON. Expected a JSON array of private JWKs or { "keys": [...] }',
    );
    expect(failure('{"keys":[]}')).to.equal(
      'scopegate:signingKey: expected a non-empty JSON array of private JWKs or { "keys": [...] }',
    );
  });

  it('refuses public keys, missing kids and other key types', () => {
    expect(failure('[{"kty":"OKP","crv":"Ed25519","x":"abc","kid":"k"}]')).to.equal(
      'scopegate:signingKey: key 0: not a private key',
    );
    expect(failure('[{"kty":"OKP","crv":"Ed25519","x":"abc","d":"def"}]')).to.equal(
      'scopegate:signingKey: key 0: "kid" is missing or repeated',
    );
    expect(failure('[{"kty":"oct","x":"abc","d":"def","kid":"k"}]')).to.equal(
      'scopegate:signingKey: key 0: unsupported key type. Expected one of: OKP Ed25519, EC P-256, RSA',
    );
    expect(failure('[{"kty":"RSA","n":"abc","d":"def","kid":"k"}]')).to.equal(
      'scopegate:signingKey: an Ed25519 or P-256 key is required to sign access tokens',
    );
  });

  it('accepts an RSA key for ID tokens but never gives it to the authorizer', async () => {
    const ed = JSON.parse(await signingKeySecret()) as { keys: Record<string, string>[] };
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const rsa = { ...(await exportJWK(privateKey)), kid: 'rsa-1' };
    const jwks = publicJwksOf(JSON.stringify([rsa, ed.keys[0]]));
    expect(jwks.keys.map((key) => [key.kid, key.alg])).to.deep.equal([[ed.keys[0]!.kid, 'EdDSA']]);
  });
});
