// What changes after a token was issued takes effect at the authorizer's next call: roles, clients, hostile claims.
import { expect } from 'chai';
import fc from 'fast-check';
import { clientKey, sessionKey, userKey } from '../../../functions/lib/token-table';
import { MAX_RESULT_BYTES } from '../../../policies/policy-budget';
import type { Harness } from './harness';
import { methodArn, requestEvent, startHarness, tokenEvent } from './harness';
import { evaluate } from './simulate';
import { NOW_S, sign, userClaims } from './support';

async function refusal(promise: Promise<unknown>): Promise<string> {
  const outcome = await promise.then(
    () => 'allowed',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  return outcome;
}

describe('the authorizer after a token was issued', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const allows = async (token: string, method: string, path: string) => {
    const result = await h.make().handleToken(tokenEvent(`Bearer ${token}`, method, path));
    return (await evaluate(result.policyDocument, methodArn(method, path))) === 'Allowed';
  };

  describe('roles', () => {
    it('gives a demoted Admin only the roles the user item still holds, so it cannot restore Admin', async () => {
      await h.put({ ...userKey('demoted-1'), sub: 'demoted-1', roles: ['Admin'], createdAt: 1 });
      await h.put({ ...sessionKey('sid-d'), sid: 'sid-d', sub: 'demoted-1', expiresAt: NOW_S + 3600 });
      const token = await sign(h.ed, userClaims({ sub: 'demoted-1', sid: 'sid-d', scope: 'Admin' }));
      expect(await allows(token, 'PUT', '/users/demoted-1/roles')).to.equal(true);

      await h.put({ ...userKey('demoted-1'), sub: 'demoted-1', roles: ['User'], createdAt: 1 });
      const result = await h
        .make()
        .handleToken(tokenEvent(`Bearer ${token}`, 'PUT', '/users/demoted-1/roles'));
      // The token says Admin; the user holds User, which Admin inherits: the token keeps nothing of Admin.
      expect(result.context.roles).to.equal('');
      expect(await allows(token, 'PUT', '/users/demoted-1/roles')).to.equal(false);
      expect(await allows(token, 'GET', '/users')).to.equal(false);
    });

    it('keeps an inherited role the user still holds when the token names it', async () => {
      await h.put({ ...userKey('demoted-2'), sub: 'demoted-2', roles: ['User'], createdAt: 1 });
      await h.put({ ...sessionKey('sid-d2'), sid: 'sid-d2', sub: 'demoted-2', expiresAt: NOW_S + 3600 });
      const token = await sign(h.ed, userClaims({ sub: 'demoted-2', sid: 'sid-d2', scope: 'Admin User' }));
      const result = await h.make().handleToken(tokenEvent(`Bearer ${token}`));
      expect(result.context.roles).to.equal('User');
      expect(await allows(token, 'GET', '/messages')).to.equal(true);
      expect(await allows(token, 'DELETE', '/messages/m-1')).to.equal(false);
    });

    it("narrows a client token to the client's current roles", async () => {
      await h.put({
        ...clientKey('svc-2'),
        clientId: 'svc-2',
        grantTypes: [],
        roles: ['Admin'],
        createdAt: 1,
      });
      const token = await sign(
        h.ed,
        userClaims({ sub: 'svc-2', client_id: 'svc-2', sid: undefined, scope: 'Admin', jti: 'jti-svc-2' }),
      );
      expect(await allows(token, 'DELETE', '/messages/m-1')).to.equal(true);
      await h.put({ ...clientKey('svc-2'), clientId: 'svc-2', grantTypes: [], roles: [], createdAt: 1 });
      expect(await allows(token, 'DELETE', '/messages/m-1')).to.equal(false);
    });
  });

  describe('clients', () => {
    it("refuses a disabled client's client-credentials and user tokens with exactly Unauthorized", async () => {
      const client = await sign(
        h.ed,
        userClaims({ sub: 'svc-off', client_id: 'svc-off', sid: undefined, scope: 'Admin' }),
      );
      const user = await sign(h.ed, userClaims({ client_id: 'svc-off' }));
      for (const token of [client, user]) {
        expect(await refusal(h.make().handleToken(tokenEvent(`Bearer ${token}`)))).to.equal('Unauthorized');
      }
      const reasons = h.logs
        .parsed()
        .slice(-2)
        .map((line) => line.reason);
      expect(reasons).to.deep.equal(['CLIENT_DISABLED', 'CLIENT_DISABLED']);
    });

    it('refuses the live token of a client disabled after it was issued, even from the verified-token cache', async () => {
      await h.put({
        ...clientKey('svc-3'),
        clientId: 'svc-3',
        grantTypes: [],
        roles: ['Admin'],
        createdAt: 1,
      });
      const token = `Bearer ${await sign(h.ed, userClaims({ sub: 'svc-3', client_id: 'svc-3', sid: undefined, scope: 'Admin' }))}`;
      const authorizer = h.make();
      await authorizer.handleToken(tokenEvent(token));
      await h.put({
        ...clientKey('svc-3'),
        clientId: 'svc-3',
        grantTypes: [],
        roles: ['Admin'],
        disabled: true,
        createdAt: 1,
      });
      expect(await refusal(authorizer.handleToken(tokenEvent(token)))).to.equal('Unauthorized');
      expect(authorizer.cacheStats.hits).to.equal(1);
    });
  });

  describe('hostile claims', () => {
    it('refuses a valid token whose sub is 4,200 characters with exactly Unauthorized, never logging it', async () => {
      const sub = 'u'.repeat(4200);
      const token = await sign(h.ed, userClaims({ sub, sid: 'sid-long', jti: 'jti-long' }));
      expect(await refusal(h.make().handleToken(tokenEvent(`Bearer ${token}`)))).to.equal('Unauthorized');
      const last = h.logs.parsed().at(-1)!;
      expect(last).to.include({ decision: 'unauthorized', reason: 'SUB_TOO_LONG' });
      expect(JSON.stringify(last)).not.to.include('uuuuuuuu');
    });

    it('refuses a sub of 129 characters and accepts one of 128', async () => {
      for (const [length, expected] of [
        [129, 'Unauthorized'],
        [128, 'allowed'],
      ] as const) {
        const sub = 'v'.repeat(length);
        await h.put({ ...userKey(sub), sub, roles: ['User'], createdAt: 1 });
        await h.put({ ...sessionKey(`sid-${length}`), sid: `sid-${length}`, sub, expiresAt: NOW_S + 60 });
        const token = await sign(h.ed, userClaims({ sub, sid: `sid-${length}` }));
        expect(await refusal(h.make().handleToken(tokenEvent(`Bearer ${token}`))), `${length}`).to.equal(
          expected,
        );
      }
    });

    it('leaves an over-long client_id or jti out of the context', async () => {
      const clientId = 'c'.repeat(65);
      await h.put({ ...clientKey(clientId), clientId, grantTypes: [], roles: [], createdAt: 1 });
      const token = await sign(
        h.ed,
        userClaims({ client_id: clientId, jti: 'j'.repeat(200), sid: 'sid-user-1' }),
      );
      const result = await h.make().handleToken(tokenEvent(`Bearer ${token}`));
      expect(result.context).to.include({ sub: 'user-1', roles: 'User', clientId: '', tokenId: '' });
    });

    it('refuses ids longer than any the token service issues with Unauthorized, not a table error', async () => {
      for (const claims of [
        { jti: 'j'.repeat(3000) },
        { sid: 's'.repeat(3000) },
        { client_id: 'c'.repeat(3000) },
      ]) {
        const token = await sign(h.ed, userClaims(claims));
        expect(await refusal(h.make().handleToken(tokenEvent(`Bearer ${token}`)))).to.equal('Unauthorized');
        expect(h.logs.parsed().at(-1)).to.include({ reason: 'MALFORMED_CLAIM' });
      }
    });

    it('answers any claim values with Unauthorized or a result within the model budget (property)', async () => {
      const authorizer = h.make({ model: h.perRoute, cacheSize: 0 });
      let answered = 0;
      const value = fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({ minLength: 1000, maxLength: 3000 }),
        fc.constant('user-1'),
      );
      await fc.assert(
        fc.asyncProperty(value, value, value, value, async (sub, clientId, jti, owner) => {
          // Items whose keys DynamoDB refuses (over 2 KB) are simply absent.
          const put = (item: Record<string, unknown>) => h.put(item).catch(() => undefined);
          await put({ ...userKey(sub), sub, roles: ['Owner', 'Reader', 'Support'], createdAt: 1 });
          await put({ ...clientKey(clientId), clientId, grantTypes: [], roles: [], createdAt: 1 });
          await put({ ...sessionKey('sid-prop'), sid: 'sid-prop', sub, expiresAt: NOW_S + 60 });
          const claims = userClaims({
            sub,
            client_id: clientId,
            jti,
            sid: 'sid-prop',
            scope: 'Owner Reader Support',
            owner,
          });
          const token = `Bearer ${await sign(h.ed, claims)}`;
          const events = [
            () => authorizer.handleToken(tokenEvent(token)),
            () =>
              authorizer.handleRequest(
                requestEvent(
                  { Authorization: token },
                  'GET',
                  '/files/{owner}/private',
                  `/files/${owner}/private`,
                ),
              ),
          ];
          for (const call of events) {
            const outcome = await call().then(
              (result) => JSON.stringify(result).length,
              (error: unknown) => (error instanceof Error ? error.message : String(error)),
            );
            if (typeof outcome === 'string') expect(outcome).to.equal('Unauthorized');
            else answered++;
            if (typeof outcome === 'number')
              expect(outcome).to.be.at.most(Math.min(h.perRoute.maxResultBytes, MAX_RESULT_BYTES));
          }
        }),
        { numRuns: 60 },
      );
      expect(answered, 'results (not refusals) among the runs').to.be.greaterThan(5);
    });
  });
});
