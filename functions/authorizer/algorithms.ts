// The signature algorithms a trusted issuer may use: asymmetric only, so neither `none` nor an HMAC key confusion.

/** Accepted by the authorizer's issuer validation and by the stack's `oidcAlgorithms` setting. */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = [
  'EdDSA',
  'Ed25519',
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
];
