import { expect } from 'chai';
import { describeRoutes, formatRoutes } from '../../local/describe-routes';
import { compileScopes } from '../../policies/index';

const model = compileScopes(`
version: 1
routes:
  POST /auth/token: auth
  GET /messages: messages
  GET /users/{userId}: users
  DELETE /users/{userId}: users
public:
  - POST /auth/token
roles:
  User:
    grants:
      - GET /messages
      - GET /users/{userId=sub}
  Admin:
    inherits: [User]
    grants:
      - '* /users/**'
`);

describe('describeRoutes', () => {
  it('names the roles that may call each route, with their bindings', () => {
    expect(describeRoutes(model).map((line) => `${line.method} ${line.path}: ${line.callers}`)).to.deep.equal(
      [
        'POST /auth/token: public',
        'GET /messages: User, Admin',
        'GET /users/{userId}: User (userId=sub), Admin',
        'DELETE /users/{userId}: Admin',
      ],
    );
  });

  it('aligns the table in columns', () => {
    const lines = formatRoutes(describeRoutes(model));
    expect(lines[0]).to.equal(`POST    /auth/token      public${' '.repeat(20)}public`);
    expect(new Set(lines.map((line) => line.indexOf('/')))).to.have.property('size', 1);
  });
});
