import { expect } from 'chai';
import { readEnvConfig } from '../../../functions/auth/config';
import { loadModel } from './harness';

describe('readEnvConfig', () => {
  const env = {
    SCOPEGATE_TABLE: 'tokens',
    SCOPEGATE_ISSUER: 'https://api.example.com/prod',
    SCOPEGATE_AUDIENCE: 'scopegate-api',
    SCOPEGATE_SIGNING_KEYS_SECRET: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys-AbCdEf',
  };

  it('reads the required settings and takes roles and inheritance from the bundled model', () => {
    const config = readEnvConfig(
      { ...env, SCOPEGATE_ACCESS_TOKEN_TTL: '600', SCOPEGATE_DEFAULT_ROLES: 'User' },
      loadModel(),
    );
    expect(config).to.deep.include({
      tableName: 'tokens',
      issuer: 'https://api.example.com/prod',
      roles: ['User', 'Admin'],
      roleInherits: { User: [], Admin: ['User'] },
      defaultRoles: ['User'],
      accessTokenTtl: 600,
      refreshIdleTtl: undefined,
    });
  });

  it('falls back to SCOPEGATE_ROLES without a bundled model', () => {
    expect(readEnvConfig({ ...env, SCOPEGATE_ROLES: 'User Admin' }).roles).to.deep.equal(['User', 'Admin']);
  });

  it('names the missing or malformed variable', () => {
    expect(() => readEnvConfig({ ...env, SCOPEGATE_ISSUER: '' }, loadModel())).to.throw(
      'environment variable SCOPEGATE_ISSUER is required',
    );
    expect(() => readEnvConfig({ ...env, SCOPEGATE_REFRESH_IDLE_TTL: '14d' }, loadModel())).to.throw(
      'environment variable SCOPEGATE_REFRESH_IDLE_TTL must be a number of seconds, got "14d"',
    );
    expect(() => readEnvConfig(env)).to.throw('no roles: bundle the scope model or set SCOPEGATE_ROLES');
  });
});
