import { expect } from 'chai';
import { acceptAuthorizerResult } from '../../local/authorizer-result';

const policyDocument = {
  Version: '2012-10-17',
  Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ['arn:aws:execute-api:*'] }],
};

describe('acceptAuthorizerResult', () => {
  it('accepts a result and turns context numbers and booleans into strings', () => {
    const accepted = acceptAuthorizerResult({
      principalId: 'u1',
      policyDocument,
      context: { sub: 'u1', n: 3, ok: true },
    });
    expect(accepted).to.deep.equal({
      principalId: 'u1',
      policyDocument: { Statement: policyDocument.Statement },
      context: { sub: 'u1', n: '3', ok: 'true' },
    });
  });

  it('accepts a result without context', () => {
    expect(acceptAuthorizerResult({ principalId: 'u1', policyDocument }))
      .to.have.property('context')
      .that.deep.equals({});
  });

  const malformed: [string, unknown, string][] = [
    ['a non-object', 'Allow', 'the result is not an object'],
    ['a missing principalId', { policyDocument }, 'principalId is missing'],
    ['a missing policyDocument', { principalId: 'u1' }, 'policyDocument is missing'],
    [
      'a statement without Effect',
      { principalId: 'u1', policyDocument: { Statement: [{ Action: 'execute-api:Invoke', Resource: '*' }] } },
      'policyDocument has a malformed statement',
    ],
    [
      'an object context value',
      { principalId: 'u1', policyDocument, context: { claims: { sub: 'u1' } } },
      'context value "claims" is not a string, number or boolean',
    ],
    [
      'a null context value',
      { principalId: 'u1', policyDocument, context: { sub: null } },
      'context value "sub" is not a string, number or boolean',
    ],
  ];
  for (const [what, value, reason] of malformed) {
    it(`refuses ${what}`, () => {
      expect(acceptAuthorizerResult(value)).to.deep.equal({ malformed: reason });
    });
  }

  it('refuses a result over the 8 KB budget', () => {
    const result = acceptAuthorizerResult({
      principalId: 'u1',
      policyDocument,
      context: { big: 'x'.repeat(9000) },
    });
    expect(result)
      .to.have.property('malformed')
      .that.matches(/^the result is \d+ bytes, over 8192$/);
  });
});
