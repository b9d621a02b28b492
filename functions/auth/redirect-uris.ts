// Redirect URIs of clients: what may be registered, and whether a requested one matches (RFC 6749 3.1.2, RFC 8252).

/** Loopback hosts of native and local apps (RFC 8252 sections 7.3 and 8.3). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** A private-use URI scheme of a mobile app (RFC 8252 section 7.1): reverse domain name, at least one dot. */
const PRIVATE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/;
const MAX_LENGTH = 512;

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

const isLoopback = (url: URL): boolean => url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);

/**
 * Why `uri` cannot be registered, or undefined when it can: an absolute URI without a fragment, https, http on a
 * loopback host, or an app's private-use scheme.
 */
export function redirectUriProblem(uri: string): string | undefined {
  const url = uri.length > MAX_LENGTH ? undefined : parse(uri);
  if (url === undefined)
    return `redirect URI "${uri}" is not an absolute URI of at most ${MAX_LENGTH} characters`;
  if (uri.includes('#')) return `redirect URI "${uri}" must not have a fragment`;
  if (url.username !== '' || url.password !== '') return `redirect URI "${uri}" must not hold credentials`;
  if (url.protocol === 'https:' || isLoopback(url) || PRIVATE_SCHEME.test(url.protocol)) return undefined;
  return `redirect URI "${uri}" must be https, http on a loopback host, or a private-use scheme such as com.example.app:`;
}

/**
 * True when the requested URI is registered: exactly the same string, or, for http on a loopback host, the same
 * URI on any port (RFC 8252 section 7.3: a native app's loopback listener gets its port from the system).
 */
export function matchesRedirectUri(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const url = requested.length > MAX_LENGTH || requested.includes('#') ? undefined : parse(requested);
  // Only a URI already in normalized form: what is matched is exactly what the browser will be sent to.
  if (url === undefined || url.href !== requested || !isLoopback(url) || url.username !== '') return false;
  const portless = new URL(url.href);
  portless.port = '';
  return registered.some((candidate) => {
    const other = parse(candidate);
    if (other === undefined || !isLoopback(other)) return false;
    other.port = '';
    return other.href === portless.href;
  });
}
