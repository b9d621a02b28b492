import { expect } from 'chai';
import { LOCAL_API, methodArn } from '../../local/method-arn';
import { parseMethodArn } from '../../policies/method-arn';

describe('methodArn', () => {
  it('holds the stage, the method and the real path values', () => {
    expect(methodArn(LOCAL_API, 'GET', '/users/42')).to.equal(
      'arn:aws:execute-api:local:000000000000:local/local/GET/users/42',
    );
  });

  it('ends with a slash for the root resource', () => {
    expect(methodArn(LOCAL_API, 'GET', '/')).to.equal(
      'arn:aws:execute-api:local:000000000000:local/local/GET/',
    );
  });

  it('is an ARN the policy code parses back', () => {
    expect(parseMethodArn(methodArn(LOCAL_API, 'DELETE', '/messages/m-1'))).to.deep.equal({
      prefix: 'arn:aws:execute-api:local:000000000000:local/local/',
      resourcePrefix: 'arn:*:execute-api:*:*:local/local/',
      method: 'DELETE',
      path: '/messages/m-1',
    });
  });
});
