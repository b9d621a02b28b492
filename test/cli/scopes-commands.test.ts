import { expect } from 'chai';
import { COMMANDS, OPTIONS, usageText } from '../../cli/scopes-commands';

describe('the scopes commands list', () => {
  const used = new Set(
    COMMANDS.flatMap(({ usage }) => [...usage.matchAll(/--([a-z-]+)/g)].map((m) => m[1]!)),
  );

  it('names only options the parser accepts, and every one it accepts', () => {
    expect([...used].sort()).to.deep.equal(
      Object.keys(OPTIONS)
        .filter((name) => name !== 'help')
        .sort(),
    );
  });

  it('is what --help prints', () => {
    const help = usageText();
    for (const { usage } of COMMANDS) expect(help).to.contain(`\n  ${usage}\n`);
    expect(help.split('\n').every((line) => line.length <= 120)).to.equal(true);
  });
});
