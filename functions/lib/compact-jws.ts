// The shape of a compact JWS (`header.payload.signature`, base64url), checked before any parsing or crypto.

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** True when `text` has the three base64url parts of a compact JWS; says nothing about its validity. */
export function isCompactJws(text: string): boolean {
  return COMPACT_JWS.test(text);
}
