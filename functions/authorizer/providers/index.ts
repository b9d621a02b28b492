// Trusted issuers: one configuration shape for every kind of provider, validated once, kind defaults applied.
import type { JSONWebKeySet } from 'jose';
import { ASYMMETRIC_ALGORITHMS } from '../algorithms';
import { auth0 } from './auth0';
import { cognito } from './cognito';
import { entra } from './entra';
import { keycloak } from './keycloak';
import { oidc } from './oidc';
import { okta } from './okta';
import type { IssuerConfig, TrustedIssuer } from './issuer-config';
import { PROVIDER_KINDS, type ProviderKind, type ProviderRules } from './provider';

export type { IssuerConfig, TrustedIssuer } from './issuer-config';
export { PROVIDER_KINDS, type ProviderKind } from './provider';

const RULES: Record<ProviderKind, ProviderRules> = { cognito, auth0, okta, entra, keycloak, oidc };

const SETTINGS = [
  'kind',
  'issuer',
  'audience',
  'clientIds',
  'jwksUri',
  'jwks',
  'algorithms',
  'rolesClaims',
  'roleMap',
  'typ',
] as const;

/** True for https, and for http on a loopback host (local providers and tests). */
export function isTrustedUrl(value: string): boolean {
  const url = parseUrl(value);
  if (url === undefined) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) &&
  value.length > 0 &&
  value.every((item) => typeof item === 'string' && item.trim() === item && item !== '');

/**
 * Validates one issuer configuration from JSON and applies its kind's defaults. Throws a TypeError whose message
 * starts with `where` and the setting, e.g. `identityProviders[0].clientIds: is required for kind "cognito"`.
 * `internal` allows the built-in token service's `checkState`; a user's provider may not set it.
 */
export function resolveIssuer(value: unknown, where: string, internal = true): TrustedIssuer {
  const fail = (setting: string, problem: string): never => {
    throw new TypeError(`${where}${setting === '' ? '' : `.${setting}`}: ${problem}`);
  };
  if (!isRecord(value)) return fail('', 'is not an object');
  const known: readonly string[] = internal ? [...SETTINGS, 'checkState'] : SETTINGS;
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) fail(unknown, `is not a setting. Expected one of: ${known.join(', ')}`);

  const kindValue = value.kind ?? (internal ? 'oidc' : undefined);
  if (kindValue === undefined) fail('kind', `is required. Expected one of: ${PROVIDER_KINDS.join(', ')}`);
  if (!(PROVIDER_KINDS as readonly unknown[]).includes(kindValue)) {
    fail(
      'kind',
      `${JSON.stringify(kindValue)} is not allowed. Expected one of: ${PROVIDER_KINDS.join(', ')}`,
    );
  }
  const kind = kindValue as ProviderKind;
  const rules = RULES[kind];

  const issuer = value.issuer;
  if (typeof issuer !== 'string' || issuer === '') return fail('issuer', 'is required (the tokens\' "iss")');
  const issuerUrl = parseUrl(issuer);
  if (issuerUrl === undefined || !isTrustedUrl(issuer)) {
    fail('issuer', `"${issuer}" is not an https URL (http only on a loopback host)`);
  }
  if (!rules.isIssuer(issuerUrl!, issuer)) {
    fail('issuer', `"${issuer}" is not an issuer of kind "${kind}". Expected ${rules.issuerShape}`);
  }

  const audience = optionalList(value.audience, 'audience', fail, true);
  const clientIds = optionalList(value.clientIds, 'clientIds', fail, false);
  if (rules.checksAudience && audience === undefined) {
    fail('audience', `is required for kind "${kind}" (the identifier of this API in the tokens' "aud")`);
  }
  if (!rules.checksAudience && audience !== undefined) {
    fail('audience', `${kind} access tokens carry no "aud". Set clientIds to the app client ids instead`);
  }
  if (!rules.checksAudience && clientIds === undefined) {
    fail('clientIds', `is required for kind "${kind}" (the app client ids whose access tokens are accepted)`);
  }
  // A client's ID tokens carry its id in `aud`: an audience naming a client would let them through.
  const clash = audience?.find((item) => clientIds?.includes(item));
  if (clash !== undefined) {
    fail('audience', `"${clash}" is also in clientIds. The audience names this API, never a client`);
  }

  if (value.jwks !== undefined && value.jwksUri !== undefined)
    fail('jwks', 'set "jwks" or "jwksUri", not both');
  let jwks: JSONWebKeySet | undefined;
  let jwksUri: string | undefined;
  if (value.jwks !== undefined) {
    if (!isRecord(value.jwks) || !Array.isArray(value.jwks.keys) || !value.jwks.keys.every(isRecord)) {
      fail('jwks', 'is not a JSON Web Key Set ({"keys": [...]})');
    }
    jwks = value.jwks as unknown as JSONWebKeySet;
  } else {
    const uri = value.jwksUri ?? rules.defaultJwksUri(issuer);
    if (uri === undefined)
      fail('jwksUri', `is required for kind "${kind}" (or give the keys inline in "jwks")`);
    if (typeof uri !== 'string' || !isTrustedUrl(uri)) {
      fail('jwksUri', `${JSON.stringify(uri)} is not an https URL (http only on a loopback host)`);
    }
    jwksUri = uri as string;
  }

  const algorithms = optionalList(value.algorithms, 'algorithms', fail, false) ?? ['RS256'];
  const badAlgorithm = algorithms.find((alg) => !ASYMMETRIC_ALGORITHMS.includes(alg));
  if (badAlgorithm !== undefined) {
    fail(
      'algorithms',
      `"${badAlgorithm}" is not allowed. Expected one of: ${ASYMMETRIC_ALGORITHMS.join(', ')}`,
    );
  }
  const rolesClaims = optionalList(value.rolesClaims, 'rolesClaims', fail, false) ?? [
    ...rules.defaultRolesClaims,
  ];

  let roleMap: Map<string, string> | undefined;
  if (value.roleMap !== undefined) {
    if (!isRecord(value.roleMap) || !Object.values(value.roleMap).every((role) => typeof role === 'string')) {
      fail('roleMap', 'is not an object of strings ({"<provider value>": "<role>"})');
    }
    roleMap = new Map(Object.entries(value.roleMap as Record<string, string>));
  }
  if (value.typ !== undefined && (typeof value.typ !== 'string' || value.typ === '')) {
    fail('typ', 'is not a non-empty string (e.g. "at+jwt")');
  }
  if (value.checkState !== undefined && typeof value.checkState !== 'boolean') {
    fail('checkState', 'is not true or false');
  }
  return {
    kind,
    issuer,
    audience,
    clientIds,
    jwksUri,
    jwks,
    algorithms,
    rolesClaims,
    roleMap,
    typ: value.typ as string | undefined,
    checkState: value.checkState === true,
    rules,
  };
}

function optionalList(
  value: unknown,
  setting: string,
  fail: (setting: string, problem: string) => never,
  allowString: boolean,
): string[] | undefined {
  if (value === undefined) return undefined;
  const list = allowString && typeof value === 'string' ? [value] : value;
  if (!isStringList(list)) {
    fail(setting, `is not a non-empty list of non-empty strings${allowString ? ' (or one string)' : ''}`);
  }
  return list;
}

/** Validates every issuer (see `resolveIssuer`) and refuses an empty list or an issuer named twice. */
export function resolveIssuers(values: readonly unknown[], where: string, internal = true): TrustedIssuer[] {
  if (values.length === 0) throw new TypeError(`${where}: at least one issuer must be trusted`);
  const seen = new Set<string>();
  return values.map((value, index) => {
    const trusted = resolveIssuer(value, `${where}[${index}]`, internal);
    if (seen.has(trusted.issuer)) {
      throw new TypeError(`${where}[${index}].issuer: "${trusted.issuer}" is configured twice`);
    }
    seen.add(trusted.issuer);
    return trusted;
  });
}

/**
 * Parses a JSON list of identity providers (the `identityProviders` config key, `IDENTITY_PROVIDERS` for
 * `npm start`): every entry validated, none with `checkState`. An empty list is allowed.
 *
 * @example parseIdentityProviders('[{"kind":"cognito","issuer":"https://cognito-idp...","clientIds":["abc"]}]', 'IDENTITY_PROVIDERS')
 */
export function parseIdentityProviders(text: string, name: string): IssuerConfig[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError(`${name}: is not valid JSON (a list of provider objects)`);
  }
  if (!Array.isArray(value)) throw new TypeError(`${name}: is not a JSON list of provider objects`);
  if (value.length > 0) resolveIssuers(value, name, false);
  return value as IssuerConfig[];
}
