import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getClient, putClient } from '../../functions/auth/clients';
import { clientKey } from '../../functions/lib/token-table';
import { createTable, startLocalDynamo, type LocalDynamo } from '../../local/dynamodb';
import { LOCAL_CLIENT_ID, LOCAL_REDIRECT_URIS, seedLocalData } from '../../local/seed';
import { generateSigningKey, loadSigningKeys } from '../../local/signing-keys';

describe('local data from before the code flow', () => {
  let dynamo: LocalDynamo;
  let dir: string;
  before(async () => {
    dynamo = await startLocalDynamo();
    await createTable(dynamo.client, 'seed-test');
    dir = await mkdtemp(join(tmpdir(), 'scopegate-seed-'));
  });
  after(async () => {
    await dynamo.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a persisted local client the code flow and its loopback redirect URIs, once', async () => {
    const db = { documents: dynamo.documents, tableName: 'seed-test' };
    await putClient(db, {
      ...clientKey(LOCAL_CLIENT_ID),
      clientId: LOCAL_CLIENT_ID,
      grantTypes: ['password', 'refresh_token'],
      roles: [],
      createdAt: 1,
    });
    const seed = {
      adminRole: 'Admin',
      now: 2,
      adminPassword: 'an admin password',
      passwordParams: { logN: 10, r: 8, p: 1 },
    };
    expect((await seedLocalData(db, seed)).clientCreated).to.equal(false);
    await seedLocalData(db, seed);
    const client = await getClient(db, LOCAL_CLIENT_ID);
    expect(client?.grantTypes).to.deep.equal(['password', 'refresh_token', 'authorization_code']);
    expect(client?.redirectUris).to.deep.equal(LOCAL_REDIRECT_URIS);
  });

  it('adds an RSA key for ID tokens to a persisted key set that lacks one, keeping the old key first', async () => {
    const old = await generateSigningKey();
    await writeFile(join(dir, 'signing-keys.json'), JSON.stringify([old]));
    const keys = await loadSigningKeys(dir);
    expect(keys.map((key) => key.kty)).to.deep.equal(['OKP', 'RSA']);
    expect(keys[0]).to.deep.equal(old);
    expect(JSON.parse(await readFile(join(dir, 'signing-keys.json'), 'utf8'))).to.deep.equal(keys);
    expect(await loadSigningKeys(dir)).to.deep.equal(keys);
  });
});
