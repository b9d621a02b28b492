import { expect } from 'chai';
import fc from 'fast-check';
import { matchesRedirectUri, redirectUriProblem } from '../../../functions/auth/redirect-uris';

describe('matchesRedirectUri', () => {
  const registered = ['https://app.example.com/callback', 'http://127.0.0.1/callback', 'http://[::1]/cb'];

  it('matches loopback on any port, same host, path and query', () => {
    expect(matchesRedirectUri(registered, 'http://127.0.0.1:5173/callback')).to.equal(true);
    expect(matchesRedirectUri(registered, 'http://127.0.0.1/callback')).to.equal(true);
    expect(matchesRedirectUri(registered, 'http://[::1]:8080/cb')).to.equal(true);
    for (const other of [
      'http://127.0.0.1:5173/callback/',
      'http://127.0.0.1:5173/callback?x=1',
      'http://127.0.0.2:5173/callback',
      'http://localhost:5173/callback',
      'https://127.0.0.1:5173/callback',
      'http://user@127.0.0.1:5173/callback',
      'http://127.0.0.1:5173/x/../callback',
      'http://127.0.0.1:5173/callback#frag',
    ]) {
      expect(matchesRedirectUri(registered, other), other).to.equal(false);
    }
  });

  it('matches any other URI only by exact string equality', () => {
    const https = ['https://app.example.com/callback'];
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (uri) => {
        expect(matchesRedirectUri(https, uri)).to.equal(uri === https[0]);
      }),
    );
    expect(matchesRedirectUri(https, 'https://app.example.com:443/callback')).to.equal(false);
    expect(matchesRedirectUri(https, 'https://APP.example.com/callback')).to.equal(false);
  });
});

describe('redirectUriProblem', () => {
  it('accepts https, loopback http and private-use schemes', () => {
    for (const uri of ['https://app.example.com/cb', 'http://127.0.0.1/callback', 'com.example.app:/oauth']) {
      expect(redirectUriProblem(uri), uri).to.equal(undefined);
    }
  });

  it('refuses plain http elsewhere, fragments, credentials and relative URIs', () => {
    expect(redirectUriProblem('https://u:p@app.example.com/cb')).to.equal(
      'redirect URI "https://u:p@app.example.com/cb" must not hold credentials',
    );
    expect(redirectUriProblem('myapp:/cb')).to.equal(
      'redirect URI "myapp:/cb" must be https, http on a loopback host, or a private-use scheme such as com.example.app:',
    );
  });
});
