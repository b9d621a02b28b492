// Reads a secret through the AWS Parameters and Secrets Lambda Extension (local HTTP, no SDK in the bundle).
type Env = Readonly<Record<string, string | undefined>>;

/** SSM parameters are named `/...` or by an `arn:aws:ssm:` ARN; anything else is a Secrets Manager secret. */
const isParameter = (id: string): boolean => id.startsWith('/') || /^arn:aws[\w-]*:ssm:/.test(id);

/**
 * Fetches the secret's text. The extension listens on localhost (port `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`,
 * default 2773) and authenticates calls with the function's session token. Errors name the secret, never its value.
 */
export async function readSecret(id: string, env: Env, fetchImpl: typeof fetch = fetch): Promise<string> {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const base = `http://localhost:${port}`;
  const url = isParameter(id)
    ? `${base}/systemsmanager/parameters/get?name=${encodeURIComponent(id)}&withDecryption=true`
    : `${base}/secretsmanager/get?secretId=${encodeURIComponent(id)}`;
  const response = await fetchImpl(url, {
    headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
  });
  if (!response.ok) throw new Error(`secret ${id}: the secrets extension answered ${response.status}`);
  const body = (await response.json()) as { SecretString?: unknown; Parameter?: { Value?: unknown } };
  const text = isParameter(id) ? body.Parameter?.Value : body.SecretString;
  if (typeof text !== 'string') throw new Error(`secret ${id}: no string value`);
  return text;
}
