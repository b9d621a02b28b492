// ID tokens of the token service are never bearer tokens: the authorizer, configured as the program configures it
// for the built-in issuer, accepts the access token of a sign-in and refuses its ID token.
import { expect } from 'chai';
import { createAuthorizer, type IssuerConfig } from '../../../functions/authorizer/authorizer';
import { publicJwksOf } from '../../../infra/signing-key';
import type { Harness } from '../auth/harness';
import {
  AUDIENCE,
  ISSUER,
  json,
  PASSWORD,
  SPA_CLIENT,
  SPA_REDIRECT,
  START_MS,
  startHarness,
} from '../auth/harness';
import { authorizeEvent, pkce, redirectParams, submit } from '../auth/sign-in';
import { tokenEvent } from './harness';

describe('the authorizer and ID tokens', () => {
  let h: Harness;
  let tokens: { access_token: string; id_token: string };
  before(async () => {
    h = await startHarness();
    expect((await h.signUp('erin')).statusCode).to.equal(201);
    const { verifier, challenge } = pkce();
    const page = await h.handle(
      authorizeEvent({
        response_type: 'code',
        client_id: SPA_CLIENT,
        redirect_uri: SPA_REDIRECT,
        scope: 'openid User',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    const code = redirectParams(await submit(h, page, { username: 'erin', password: PASSWORD })).code!;
    const response = await h.token({
      grant_type: 'authorization_code',
      client_id: SPA_CLIENT,
      code,
      redirect_uri: SPA_REDIRECT,
      code_verifier: verifier,
    });
    tokens = json(response) as typeof tokens;
  });
  after(() => h.close());

  const authorizer = (issuer: Partial<IssuerConfig> = {}) =>
    createAuthorizer({
      model: h.model,
      issuers: [
        {
          issuer: ISSUER,
          audience: AUDIENCE,
          // What the Pulumi program hands the authorizer: the access-token keys of the secret, never the RSA one.
          jwks: publicJwksOf(JSON.stringify(h.keys)),
          algorithms: ['EdDSA', 'ES256'],
          checkState: true,
          typ: 'at+jwt',
          ...issuer,
        },
      ],
      tableName: h.table,
      documents: h.dynamo.documents,
      now: () => START_MS,
      logger: { info: () => undefined, error: () => undefined },
    });
  const decide = (token: string, issuer?: Partial<IssuerConfig>) =>
    authorizer(issuer)
      .handleToken(tokenEvent(`Bearer ${token}`))
      .then(
        (result) => result.policyDocument.Statement.map((statement) => statement.Effect).join(','),
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );

  it('accepts the access token and refuses the ID token with exactly Unauthorized', async () => {
    expect(await decide(tokens.access_token)).to.include('Allow');
    expect(await decide(tokens.id_token)).to.equal('Unauthorized');
  });

  it('refuses the ID token by its type and by its missing jti, each alone, even were the RSA key trusted', async () => {
    const everyKey = {
      keys: h.keys.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...key }) => key),
    };
    const trustingRsa = {
      jwks: everyKey,
      algorithms: ['EdDSA', 'ES256', 'RS256'],
      audience: [AUDIENCE, SPA_CLIENT],
    };
    expect(await decide(tokens.access_token, trustingRsa)).to.include('Allow');
    expect(await decide(tokens.id_token, { ...trustingRsa, checkState: false })).to.equal('Unauthorized');
    expect(await decide(tokens.id_token, { ...trustingRsa, typ: undefined })).to.equal('Unauthorized');
    // With neither check, the signature alone would let it through (to a policy): the checks above are what refuse it.
    expect(await decide(tokens.id_token, { ...trustingRsa, typ: undefined, checkState: false })).not.to.equal(
      'Unauthorized',
    );
  });
});
