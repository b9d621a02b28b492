import { expect } from 'chai';
import { OAuthError } from '../../../functions/auth/oauth-errors';
import { createRoleCatalog, grantScope, stillHeld } from '../../../functions/auth/scopes';

describe('grantScope', () => {
  const catalog = createRoleCatalog(['User', 'Admin', 'Auditor'], { Admin: ['User'] });

  it('grants every held role of the model when no scope is asked, in model order', () => {
    expect(grantScope(catalog, ['Admin', 'User', 'Retired'], undefined)).to.deep.equal(['User', 'Admin']);
  });

  it('writes each granted role with the roles it inherits, in model order', () => {
    expect(grantScope(catalog, ['Admin'], undefined)).to.deep.equal(['User', 'Admin']);
    expect(grantScope(catalog, ['Admin'], 'Admin')).to.deep.equal(['User', 'Admin']);
    const deep = createRoleCatalog(['Reader', 'User', 'Admin', 'Auditor'], {
      Admin: ['User'],
      User: ['Reader'],
      Auditor: ['Reader'],
    });
    expect(grantScope(deep, ['Admin'], undefined)).to.deep.equal(['Reader', 'User', 'Admin']);
    expect(grantScope(deep, ['Admin', 'Auditor'], 'Auditor')).to.deep.equal(['Reader', 'Auditor']);
  });

  it('grants the intersection of asked and held roles, inherited ones included', () => {
    expect(grantScope(catalog, ['Admin'], 'User')).to.deep.equal(['User']);
    expect(grantScope(catalog, ['User'], 'User Admin')).to.deep.equal(['User']);
  });

  it('refuses a request that shares nothing with the held roles', () => {
    expect(() => grantScope(catalog, ['User'], 'Auditor')).to.throw(
      OAuthError,
      'invalid_scope: none of the requested scopes is available',
    );
    expect(() => grantScope(catalog, [], undefined)).to.throw(OAuthError, 'invalid_scope');
  });

  it('refuses a name the model does not declare and a malformed scope string', () => {
    expect(() => grantScope(catalog, ['User'], 'User Root')).to.throw(
      OAuthError,
      'invalid_scope: unknown scope: Root',
    );
    expect(() => grantScope(catalog, ['User'], 'User  Admin')).to.throw(
      OAuthError,
      'invalid_scope: scope must be space-separated scope tokens',
    );
  });

  it('keeps of an earlier grant only what the principal still holds', () => {
    expect(stillHeld(catalog, ['User', 'Admin'], ['User'])).to.deep.equal(['User']);
    expect(stillHeld(catalog, ['User'], ['Admin'])).to.deep.equal(['User']);
  });

  it('refuses a role named openid: that scope asks for an ID token', () => {
    expect(() => createRoleCatalog(['User', 'openid'])).to.throw(
      TypeError,
      'role "openid" is reserved for OpenID Connect',
    );
  });

  it('refuses a role name that is not a scope token', () => {
    expect(() => createRoleCatalog(['Has Space'])).to.throw(
      TypeError,
      'role "Has Space" is not a valid OAuth2 scope token',
    );
  });
});
