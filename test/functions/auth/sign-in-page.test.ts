import { expect } from 'chai';
import fc from 'fast-check';
import {
  csrfCookie,
  csrfProblem,
  escapeHtml,
  issueCsrf,
  signInPage,
} from '../../../functions/auth/sign-in-page';

const KEY = Buffer.alloc(32, 9);
const NOW = 1_768_435_200;

describe('escapeHtml', () => {
  it('leaves no markup character and decodes back to the text, for every string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.to.match(/[<>"']|&(?!#\d+;)/);
        expect(escaped.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))).to.equal(
          text,
        );
      }),
    );
  });

  it('is the only way a value reaches the page: a hostile field value stays text', () => {
    const hostile = '"><script>alert(1)</script>';
    const page = signInPage({
      clientId: hostile,
      fields: new Map([['state', hostile]]),
      csrfToken: 't',
      cookie: 'c=1',
      redirectTarget: 'https://app.example.com',
      username: hostile,
      error: hostile,
    });
    expect(page.body).not.to.include('<script');
    expect(page.body.match(/&#34;&#62;&#60;script&#62;/g)).to.have.length(4);
  });
});

describe('the CSRF token', () => {
  const fields = fc.dictionary(fc.constantFrom('client_id', 'state', 'nonce', 'scope'), fc.string(), {
    minKeys: 1,
  });

  it('is accepted for its own browser and request until it expires', () => {
    fc.assert(
      fc.property(fields, (record) => {
        const request = new Map(Object.entries(record));
        const { token, cookie } = issueCsrf(KEY, request, NOW, true);
        const browser = csrfCookie(cookie.split(';')[0]);
        expect(csrfProblem(KEY, token, browser, new Map(request), NOW + 599)).to.equal(undefined);
        expect(csrfProblem(KEY, token, browser, request, NOW + 600)).to.equal('the sign-in form has expired');
      }),
    );
  });

  it('is refused for any other request, browser or key', () => {
    fc.assert(
      fc.property(fields, fc.string(), (record, changed) => {
        const request = new Map(Object.entries(record));
        const { token, cookie } = issueCsrf(KEY, request, NOW, false);
        const browser = csrfCookie(cookie);
        const [name, value] = [...request][0]!;
        fc.pre(changed !== value);
        const otherRequest = new Map(request).set(name, changed);
        const other = csrfCookie(issueCsrf(KEY, request, NOW, false).cookie);
        const refused = 'the sign-in form was not issued to this browser for this request';
        expect(csrfProblem(KEY, token, browser, otherRequest, NOW)).to.equal(refused);
        expect(csrfProblem(KEY, token, other, request, NOW)).to.equal(refused);
        expect(csrfProblem(Buffer.alloc(32, 1), token, browser, request, NOW)).to.equal(refused);
      }),
    );
  });
});
