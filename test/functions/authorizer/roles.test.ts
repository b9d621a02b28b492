import { expect } from 'chai';
import { readRoles } from '../../../functions/authorizer/roles';

const KNOWN = new Set(['User', 'Admin']);

describe('readRoles', () => {
  it('reads a space-separated scope and keeps only roles the model knows', () => {
    expect(readRoles({ scope: 'openid User  Admin\tprofile' }, 'scope', KNOWN)).to.deep.equal([
      'User',
      'Admin',
    ]);
  });

  it('reads an array claim such as cognito:groups', () => {
    expect(readRoles({ 'cognito:groups': ['Admin', 'Staff', 42] }, 'cognito:groups', KNOWN)).to.deep.equal([
      'Admin',
    ]);
  });

  it('drops duplicates and is case-sensitive', () => {
    expect(readRoles({ scope: 'User User user ADMIN' }, 'scope', KNOWN)).to.deep.equal(['User']);
  });

  it('yields no roles for a missing claim or one of another shape', () => {
    expect(readRoles({}, 'scope', KNOWN)).to.deep.equal([]);
    expect(readRoles({ scope: { User: true } }, 'scope', KNOWN)).to.deep.equal([]);
    expect(readRoles({ groups: 'User' }, 'scope', KNOWN)).to.deep.equal([]);
  });
});
