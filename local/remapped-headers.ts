// What a REST API does to a Lambda proxy response's headers on the way to the client, as the local gateway must.

/**
 * Headers API Gateway renames in an integration response to `x-amzn-Remapped-<name>`: a challenge a Lambda
 * sets never reaches the client under its name (only gateway responses can send `WWW-Authenticate`).
 */
export const REMAPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set(['www-authenticate']);

const remap = (headers: unknown): unknown =>
  typeof headers === 'object' && headers !== null && !Array.isArray(headers)
    ? Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [
          REMAPPED_RESPONSE_HEADERS.has(name.toLowerCase()) ? `x-amzn-Remapped-${name}` : name,
          value,
        ]),
      )
    : headers;

/** The proxy result as the client receives it; anything malformed is left for the caller to refuse (502). */
export function remapIntegrationHeaders(result: unknown): unknown {
  if (typeof result !== 'object' || result === null) return result;
  const { headers, multiValueHeaders } = result as Record<string, unknown>;
  return {
    ...result,
    ...(headers === undefined ? {} : { headers: remap(headers) }),
    ...(multiValueHeaders === undefined ? {} : { multiValueHeaders: remap(multiValueHeaders) }),
  };
}
