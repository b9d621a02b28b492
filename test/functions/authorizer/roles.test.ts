import { expect } from 'chai';
import fc from 'fast-check';
import { readRoles } from '../../../functions/authorizer/roles';

const KNOWN = new Set(['User', 'Admin']);
const scope = { rolesClaims: ['scope'] };

describe('readRoles', () => {
  it('reads a space-separated scope and keeps only roles the model knows', () => {
    expect(readRoles({ scope: 'openid User  Admin profile' }, scope, KNOWN)).to.deep.equal(['User', 'Admin']);
  });

  it('splits a scope on U+0020 only (RFC 6749 section 3.3), never on other whitespace', () => {
    expect(readRoles({ scope: 'User Admin\u00a0Auditors' }, scope, KNOWN)).to.deep.equal(['User']);
    expect(readRoles({ scope: 'User\tAdmin' }, scope, KNOWN)).to.deep.equal([]);
    expect(readRoles({ scope: 'Admin\nUser' }, scope, KNOWN)).to.deep.equal([]);
    expect(readRoles({ scope: 'User\u2003Admin' }, scope, KNOWN)).to.deep.equal([]);
  });

  it('never grants a role glued to another by any character but U+0020 (property)', () => {
    const separator = fc.constantFrom('\t', '\n', '\r', '\u00a0', '\u2003', '\u3000', '\ufeff', ',', '+');
    fc.assert(
      fc.property(separator, fc.boolean(), (glue, adminFirst) => {
        const value = adminFirst ? `Admin${glue}User` : `User${glue}Admin`;
        expect(readRoles({ scope: value }, scope, KNOWN)).to.deep.equal([]);
      }),
    );
  });

  it('reads an array claim such as cognito:groups', () => {
    expect(
      readRoles({ 'cognito:groups': ['Admin', 'Staff', 42] }, { rolesClaims: ['cognito:groups'] }, KNOWN),
    ).to.deep.equal(['Admin']);
  });

  it('unites every listed claim, in order, without duplicates', () => {
    const payload = { permissions: ['Admin'], scope: 'openid User Admin' };
    expect(readRoles(payload, { rolesClaims: ['scope', 'permissions'] }, KNOWN)).to.deep.equal([
      'User',
      'Admin',
    ]);
    expect(readRoles(payload, { rolesClaims: ['permissions', 'scope'] }, KNOWN)).to.deep.equal([
      'Admin',
      'User',
    ]);
  });

  it('reaches a nested claim by a dotted path, and finds a claim whose own name has dots first', () => {
    const payload = {
      realm_access: { roles: ['User', 'offline_access'] },
      'https://example.com/roles': ['Admin'],
      https: { 'example.com/roles': ['User'] },
    };
    expect(readRoles(payload, { rolesClaims: ['realm_access.roles'] }, KNOWN)).to.deep.equal(['User']);
    expect(readRoles(payload, { rolesClaims: ['https://example.com/roles'] }, KNOWN)).to.deep.equal([
      'Admin',
    ]);
    expect(readRoles(payload, { rolesClaims: ['realm_access.missing.roles'] }, KNOWN)).to.deep.equal([]);
  });

  it('never reads inherited properties through a dotted path', () => {
    expect(readRoles({ a: {} }, { rolesClaims: ['a.constructor.name'] }, new Set(['Object']))).to.deep.equal(
      [],
    );
    expect(readRoles({}, { rolesClaims: ['__proto__.x'] }, KNOWN)).to.deep.equal([]);
  });

  it('maps provider values through roleMap, and lets unmapped values name roles themselves', () => {
    const roleMap = new Map([
      ['api-admins', 'Admin'],
      ['everyone', 'User'],
    ]);
    expect(
      readRoles({ groups: ['everyone', 'api-admins', 'Staff'] }, { rolesClaims: ['groups'], roleMap }, KNOWN),
    ).to.deep.equal(['User', 'Admin']);
    expect(readRoles({ groups: ['Admin'] }, { rolesClaims: ['groups'], roleMap }, KNOWN)).to.deep.equal([
      'Admin',
    ]);
    // A mapping to a role the model does not declare grants nothing.
    const unknown = new Map([['staff', 'Root']]);
    expect(
      readRoles({ groups: ['staff'] }, { rolesClaims: ['groups'], roleMap: unknown }, KNOWN),
    ).to.deep.equal([]);
  });

  it('drops duplicates and is case-sensitive', () => {
    expect(readRoles({ scope: 'User User user ADMIN' }, scope, KNOWN)).to.deep.equal(['User']);
  });

  it('yields no roles for a missing claim or one of another shape', () => {
    expect(readRoles({}, scope, KNOWN)).to.deep.equal([]);
    expect(readRoles({ scope: { User: true } }, scope, KNOWN)).to.deep.equal([]);
    expect(readRoles({ groups: 'User' }, scope, KNOWN)).to.deep.equal([]);
  });
});
