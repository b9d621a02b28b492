import { expect } from 'chai';
import { onceUntilFailure, readSecret, SecretReadError } from '../../../functions/auth/secrets';
import { REGION, startFakeSecretsManager, type FakeSecretsManager } from './fake-secrets-manager';

describe('readSecret', () => {
  let secretsManager: FakeSecretsManager;

  before(async () => {
    secretsManager = await startFakeSecretsManager();
    secretsManager.secrets.set('scopegate-keys', '{"keys":[{"kid":"a"}]}');
  });
  after(() => secretsManager.close());
  afterEach(() => {
    secretsManager.failing = false;
  });

  it('reads the secret string with one signed GetSecretValue call', async () => {
    const before = secretsManager.calls.length;
    expect(await readSecret(secretsManager.client(), 'scopegate-keys')).to.equal('{"keys":[{"kid":"a"}]}');
    expect(secretsManager.calls.slice(before)).to.have.length(1);
    const call = secretsManager.calls.at(-1);
    expect(call?.target).to.equal('secretsmanager.GetSecretValue');
    expect(call?.secretId).to.equal('scopegate-keys');
    expect(call?.credential).to.match(new RegExp(`^AKIDSCOPEGATETEST/\\d{8}/${REGION}/secretsmanager/`));
  });

  it('names the secret and the SDK error for a missing secret', async () => {
    const error = await readSecret(secretsManager.client(), 'other-keys').catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(SecretReadError);
    expect((error as Error).message).to.equal(
      'secret other-keys: could not be read from Secrets Manager (ResourceNotFoundException)',
    );
  });

  it('fails with the SDK error class when the service answers 500', async () => {
    secretsManager.failing = true;
    const error = await readSecret(secretsManager.client(), 'scopegate-keys').catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).to.equal(
      'secret scopegate-keys: could not be read from Secrets Manager (InternalServiceError)',
    );
  });
});

describe('onceUntilFailure', () => {
  it('runs the load once and shares its result', async () => {
    let runs = 0;
    const load = onceUntilFailure(() => Promise.resolve((runs += 1)));
    expect(await Promise.all([load(), load()])).to.deep.equal([1, 1]);
    expect(await load()).to.equal(1);
    expect(runs).to.equal(1);
  });

  it('forgets a failure, so the next call runs the load again', async () => {
    let runs = 0;
    const load = onceUntilFailure(() =>
      (runs += 1) === 1 ? Promise.reject(new Error('unreachable')) : Promise.resolve(runs),
    );
    const first = await load().catch((error: unknown) => (error as Error).message);
    expect(first).to.equal('unreachable');
    expect(await load()).to.equal(2);
    expect(await load()).to.equal(2);
    expect(runs).to.equal(2);
  });

  it('gives every caller of a failing attempt the same failure, not a second run', async () => {
    let runs = 0;
    const load = onceUntilFailure(() => {
      runs += 1;
      return Promise.reject(new Error('down'));
    });
    const results = await Promise.allSettled([load(), load()]);
    expect(results.map((result) => result.status)).to.deep.equal(['rejected', 'rejected']);
    expect(runs).to.equal(1);
  });
});
