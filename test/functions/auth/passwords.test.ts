import { expect } from 'chai';
import { createPasswordHasher, OWASP_SCRYPT } from '../../../functions/auth/passwords';

describe('createPasswordHasher', () => {
  const fast = createPasswordHasher({ logN: 10, r: 8, p: 1 });

  it('hashes at the OWASP parameters by default and verifies in constant time', async function () {
    this.timeout(20_000);
    const hasher = createPasswordHasher();
    const stored = await hasher.hash('correct horse battery');
    expect(stored).to.match(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await hasher.verify('correct horse battery', stored)).to.equal(true);
    expect(await hasher.verify('correct horse batterY', stored)).to.equal(false);
    expect(hasher.needsRehash(stored)).to.equal(false);
    expect(OWASP_SCRYPT).to.deep.equal({ logN: 17, r: 8, p: 1 });
  });

  it('spends as long on an unknown user as on a wrong password', async function () {
    this.timeout(20_000);
    const hasher = createPasswordHasher({ logN: 14, r: 8, p: 1 });
    const stored = await hasher.hash('correct horse battery');
    // Interleaved samples, so a noisy neighbour slows both kinds alike; medians compared.
    const elapsed = async (run: () => Promise<unknown>): Promise<number> => {
      const start = process.hrtime.bigint();
      await run();
      return Number(process.hrtime.bigint() - start);
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      wrong.push(await elapsed(() => hasher.verify('wrong password here', stored)));
      unknown.push(await elapsed(() => hasher.verifyDummy('wrong password here')));
    }
    const median = (samples: number[]): number => samples.sort((a, b) => a - b)[5]!;
    expect(median(unknown) / median(wrong)).to.be.within(0.5, 2);
    expect(await hasher.verifyDummy('correct horse battery')).to.equal(false);
  });

  it('uses a random salt: the same password never hashes the same', async () => {
    expect(await fast.hash('same password')).not.to.equal(await fast.hash('same password'));
  });

  it('verifies a hash made with older parameters and asks for a rehash', async () => {
    const stored = await fast.hash('correct horse battery');
    const current = createPasswordHasher({ logN: 11, r: 8, p: 1 });
    expect(await current.verify('correct horse battery', stored)).to.equal(true);
    expect(current.needsRehash(stored)).to.equal(true);
  });

  it('treats a malformed or absurdly expensive stored hash as a mismatch', async () => {
    for (const stored of [
      '',
      'plain',
      '$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      expect(await fast.verify('anything', stored)).to.equal(false);
      expect(fast.needsRehash(stored)).to.equal(true);
    }
  });

  it('normalizes Unicode, so a composed and a decomposed é match', async () => {
    const stored = await fast.hash('caf\u00e9 au lait!');
    expect(await fast.verify('cafe\u0301 au lait!', stored)).to.equal(true);
  });
});
