import * as fs from 'node:fs';
import * as path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { compileScopes, type CompiledModel } from '../../policies';
import {
  documentRoutes,
  ROUTE_AUTHORIZER,
  TOKEN_AUTHORIZER,
  TOKEN_HEADER_PATTERN,
  toOpenApi,
  type OpenApiDocument,
  type OpenApiOptions,
} from '../../policies/openapi';

const invokeArn = (fn: string): string =>
  `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:${fn}/invocations`;

const options = (overrides: Partial<OpenApiOptions> = {}): OpenApiOptions => ({
  title: 'scopegate-test',
  functionInvokeArns: { auth: invokeArn('auth'), messages: invokeArn('messages'), users: invokeArn('users') },
  tokenAuthorizerInvokeArn: invokeArn('authorizer'),
  routeAuthorizerInvokeArn: invokeArn('authorizer'),
  authorizerTtlSeconds: 300,
  corsOrigins: ['*'],
  ...overrides,
});

const defaultModel = compileScopes(fs.readFileSync(path.join(__dirname, '../../scopes.yaml'), 'utf8'));
// A file whose second route needs the per-route authorizer (User's Allow for /docs/* would reach a bound route).
const mixedModel = compileScopes(`version: 1
routes:
  GET /docs/{docId}: messages
  GET /docs/{docId}/meta: messages
  GET /files/{path+}: users
  GET /health: users
public: [GET /health]
roles:
  User:
    grants:
      - GET /docs/{docId}
      - GET /docs/{docId=sub}/meta
      - GET /files/{path+}
quotas:
  authorizers: 2
`);

// One validator: it compiles the OpenAPI schema once and keeps it for the next document.
const validator = new Validator();

/**
 * The OpenAPI 3.0 schema's verdict (the first error), then the rules a schema cannot say and API Gateway's
 * import enforces: path parameters declared, operation ids unique, security schemes known.
 */
async function openApiProblems(document: OpenApiDocument): Promise<string[]> {
  const result = await validator.validate(document);
  const problems =
    typeof result.errors === 'string'
      ? [result.errors]
      : (result.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? e.keyword}`);
  if (result.valid && validator.version !== '3.0') problems.push(`OpenAPI ${validator.version}, not 3.0`);
  const schemes = Object.keys((document.components as { securitySchemes: object }).securitySchemes);
  const ids = new Set<string>();
  for (const [template, operations] of Object.entries(document.paths)) {
    const names = [...template.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]).sort();
    for (const [method, operation] of Object.entries(operations)) {
      const declared = (operation.parameters ?? []) as { name: string; in: string }[];
      const inPath = declared
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort();
      if (JSON.stringify(inPath) !== JSON.stringify(names))
        problems.push(`${method} ${template}: path parameters`);
      if (operation.operationId !== undefined) {
        if (ids.has(operation.operationId)) problems.push(`duplicate operationId ${operation.operationId}`);
        ids.add(operation.operationId);
      }
      for (const requirement of operation.security ?? []) {
        for (const name of Object.keys(requirement)) {
          if (!schemes.includes(name)) problems.push(`${method} ${template}: unknown scheme ${name}`);
        }
      }
    }
  }
  return problems;
}

const routeKeys = (model: CompiledModel): string[] => model.routes.map((r) => `${r.method} ${r.path}`).sort();
const operationOf = (document: OpenApiDocument, method: string, template: string) =>
  document.paths[template]![method.toLowerCase()]!;

describe('toOpenApi', () => {
  for (const [name, model] of [
    ['the default scopes.yaml', defaultModel],
    ['a file with per-route routes', mixedModel],
  ] as const) {
    describe(`for ${name}`, () => {
      const document = toOpenApi(model, options());

      it('routes exactly the compiled routes', () => {
        expect(documentRoutes(document).sort()).to.deep.equal(routeKeys(model));
      });

      it('names the authorizer the model assigns on every private route and none on public ones', () => {
        for (const route of model.routes) {
          const { security } = operationOf(document, route.method, route.path);
          if (route.access === 'public')
            expect(security, `${route.method} ${route.path}`).to.equal(undefined);
          else {
            const scheme = route.access === 'token' ? TOKEN_AUTHORIZER : ROUTE_AUTHORIZER;
            expect(security, `${route.method} ${route.path}`).to.deep.equal([{ [scheme]: [] }]);
          }
        }
      });

      it('integrates every route with its function as aws_proxy', () => {
        for (const route of model.routes) {
          expect(
            operationOf(document, route.method, route.path)['x-amazon-apigateway-integration'],
          ).to.deep.equal({
            type: 'aws_proxy',
            httpMethod: 'POST',
            uri: invokeArn(route.function),
            passthroughBehavior: 'when_no_match',
          });
        }
      });

      it('answers the CORS preflight of every path with a mock and no authorizer', () => {
        for (const [template, operations] of Object.entries(document.paths)) {
          const preflight = operations.options!;
          expect(preflight.security, template).to.equal(undefined);
          expect(preflight['x-amazon-apigateway-integration'].type).to.equal('mock');
          const methods = Object.keys(operations)
            .map((m) => m.toUpperCase())
            .sort();
          const responses = preflight['x-amazon-apigateway-integration'].responses as {
            default: { responseParameters: Record<string, string> };
          };
          const allowed =
            responses.default.responseParameters['method.response.header.Access-Control-Allow-Methods'];
          expect(allowed!.slice(1, -1).split(',').sort()).to.deep.equal(methods);
        }
      });

      it('validates as an OpenAPI 3.0 document', async () => {
        expect(await openApiProblems(document)).to.deep.equal([]);
      });
    });
  }

  it('has a validator that notices a broken document', async () => {
    const broken = toOpenApi(defaultModel, options());
    delete (broken.paths['/messages']!.get as Partial<OpenApiDocument['paths'][string][string]>).responses;
    broken.paths['/users/{userId}']!.get!.parameters = [];
    expect(await openApiProblems(broken)).to.deep.equal([
      "/paths/~1messages/get must have required property 'responses'",
      'get /users/{userId}: path parameters',
    ]);
  });

  it('has a validator that knows the whole OpenAPI 3.0 schema, servers included', async () => {
    const broken = { ...toOpenApi(defaultModel, options()), servers: [{ description: 'no url' }] };
    expect(await openApiProblems(broken)).to.deep.equal(["/servers/0 must have required property 'url'"]);
  });

  it('uses both access kinds in the per-route fixture', () => {
    expect(new Set(mixedModel.routes.map((r) => r.access))).to.deep.equal(
      new Set(['token', 'route', 'public']),
    );
  });

  it('declares the token and per-route authorizers with their identity sources and cache TTL', () => {
    const document = toOpenApi(mixedModel, options({ authorizerTtlSeconds: 120 }));
    const schemes = (document.components as { securitySchemes: Record<string, Record<string, unknown>> })
      .securitySchemes;
    expect(schemes[TOKEN_AUTHORIZER]!['x-amazon-apigateway-authorizer']).to.include({
      type: 'token',
      identitySource: 'method.request.header.Authorization',
      authorizerResultTtlInSeconds: 120,
      authorizerUri: invokeArn('authorizer'),
    });
    expect(schemes[ROUTE_AUTHORIZER]!['x-amazon-apigateway-authorizer']).to.include({
      type: 'request',
      identitySource: 'method.request.header.Authorization, context.httpMethod, context.resourcePath',
      authorizerResultTtlInSeconds: 120,
    });
    expect(schemes[ROUTE_AUTHORIZER]!['x-amazon-apigateway-authorizer']).not.to.have.property(
      'identityValidationExpression',
    );
  });

  it('names the token authorizer’s header, and "Unused" for the request authorizer’s several sources', () => {
    const schemes = (
      toOpenApi(mixedModel, options()).components as {
        securitySchemes: Record<string, Record<string, unknown>>;
      }
    ).securitySchemes;
    expect(schemes[TOKEN_AUTHORIZER]).to.deep.include({
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
    });
    expect(schemes[ROUTE_AUTHORIZER]).to.deep.include({ type: 'apiKey', name: 'Unused', in: 'header' });
  });

  it('lets the token authorizer see only a Bearer header with a token of base64 or base64url characters', () => {
    const schemes = (
      toOpenApi(defaultModel, options()).components as {
        securitySchemes: Record<string, Record<string, Record<string, unknown>>>;
      }
    ).securitySchemes;
    expect(
      schemes[TOKEN_AUTHORIZER]!['x-amazon-apigateway-authorizer']!.identityValidationExpression,
    ).to.equal(TOKEN_HEADER_PATTERN);
    const pattern = new RegExp(TOKEN_HEADER_PATTERN);
    for (const header of ['Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1In0.c2ln', 'bearer abc', 'BEARER abc']) {
      expect(pattern.test(header), JSON.stringify(header)).to.equal(true);
    }
    for (const header of ['Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Bearer  abc', 'Bearerabc']) {
      expect(pattern.test(header), JSON.stringify(header)).to.equal(false);
    }
  });

  it('declares a greedy path parameter by its name without the plus', () => {
    const document = toOpenApi(mixedModel, options());
    expect(operationOf(document, 'GET', '/files/{path+}').parameters).to.deep.equal([
      { name: 'path', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('gives gateway errors CORS headers, WWW-Authenticate on 401, and keeps an unknown route at 403', () => {
    const responses = toOpenApi(defaultModel, options({ corsOrigins: ['https://app.example.com'] }))[
      'x-amazon-apigateway-gateway-responses'
    ] as Record<string, { statusCode?: number; responseParameters: Record<string, string> }>;
    expect(Object.keys(responses).sort()).to.deep.equal([
      'ACCESS_DENIED',
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'MISSING_AUTHENTICATION_TOKEN',
      'UNAUTHORIZED',
    ]);
    for (const response of Object.values(responses)) {
      expect(response.responseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).to.equal(
        "'https://app.example.com'",
      );
    }
    expect(responses.UNAUTHORIZED!.statusCode).to.equal(401);
    expect(responses.UNAUTHORIZED!.responseParameters['gatewayresponse.header.WWW-Authenticate']).to.equal(
      `'Bearer realm="scopegate"'`,
    );
    expect(responses.ACCESS_DENIED!.statusCode).to.equal(403);
    expect(responses.MISSING_AUTHENTICATION_TOKEN!.statusCode).to.equal(403);
  });

  it('echoes the preflight Origin only when it is one of several allowed origins', () => {
    const origins = ['https://a.example.com', 'https://b.example.com'];
    const preflight = operationOf(
      toOpenApi(defaultModel, options({ corsOrigins: origins })),
      'OPTIONS',
      '/messages',
    );
    const integration = preflight['x-amazon-apigateway-integration'] as {
      responses: {
        default: { responseParameters: Record<string, string>; responseTemplates: Record<string, string> };
      };
    };
    const template = integration.responses.default.responseTemplates['application/json']!;
    expect(template).to.contain('$origin == "https://a.example.com" || $origin == "https://b.example.com"');
    expect(integration.responses.default.responseParameters).not.to.have.property(
      'method.response.header.Access-Control-Allow-Origin',
    );
  });

  it('is pure: the same model and options give the same document', () => {
    expect(JSON.stringify(toOpenApi(defaultModel, options()))).to.equal(
      JSON.stringify(
        toOpenApi(
          compileScopes(fs.readFileSync(path.join(__dirname, '../../scopes.yaml'), 'utf8')),
          options(),
        ),
      ),
    );
  });

  it('refuses a route whose function has no invoke ARN', () => {
    expect(() =>
      toOpenApi(defaultModel, options({ functionInvokeArns: { auth: invokeArn('auth') } })),
    ).to.throw(TypeError, 'no invoke ARN for function "messages" (route GET /messages)');
  });

  it('refuses a cache TTL API Gateway does not accept', () => {
    expect(() => toOpenApi(defaultModel, options({ authorizerTtlSeconds: 3601 }))).to.throw(
      TypeError,
      'authorizerTtlSeconds 3601 is out of range. Expected an integer 0..3600',
    );
  });
});
