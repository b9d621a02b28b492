// DNS rebinding defence: the local stack answers only requests addressed to a loopback name or a configured one.
import { isIP } from 'node:net';

/**
 * A page on any site can point its own host name at 127.0.0.1 and then read this server's answers as
 * same-origin; the `Host` header still names the attacker's host. Loopback names are `localhost` and
 * `*.localhost` (RFC 6761), 127.0.0.0/8 and `[::1]`; `extra` names more (e.g. a name in /etc/hosts).
 */
export function createHostCheck(extra: readonly string[] = []): (host: string | undefined) => boolean {
  const allowed = new Set(extra.map((name) => name.trim().toLowerCase()).filter((name) => name !== ''));
  return (host) => {
    if (host === undefined) return false;
    const name = hostName(host.trim().toLowerCase());
    if (name === undefined) return false;
    if (allowed.has(name)) return true;
    if (name === 'localhost' || name.endsWith('.localhost')) return true;
    if (name === '[::1]') return true;
    return isIP(name) === 4 && name.startsWith('127.');
  };
}

/** The name of a Host header value without its port; undefined when it is not one. */
function hostName(host: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/.exec(host);
  return match?.[1];
}
