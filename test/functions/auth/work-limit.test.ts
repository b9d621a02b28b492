import { expect } from 'chai';
import { BusyError, createWorkLimit } from '../../../functions/auth/work-limit';

/** A task that runs until released, recording how many run at once. */
function gate(state: { running: number; peak: number }) {
  let open!: () => void;
  const released = new Promise<void>((resolve) => (open = resolve));
  const task = async () => {
    state.running += 1;
    state.peak = Math.max(state.peak, state.running);
    await released;
    state.running -= 1;
    return 'done';
  };
  return { task, open };
}

describe('createWorkLimit', () => {
  it('runs at most `concurrency` tasks at once, queues `queueLength`, and refuses the rest at once', async () => {
    const limit = createWorkLimit(2, 3);
    const state = { running: 0, peak: 0 };
    const gates = Array.from({ length: 7 }, () => gate(state));
    const outcomes = gates.map(({ task }) =>
      limit.run(task).then(
        (value) => value,
        (error: unknown) => error,
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(limit.pending).to.equal(5);
    expect(state.running).to.equal(2);
    for (const { open } of gates) open();
    const settled = await Promise.all(outcomes);
    expect(settled.slice(0, 5)).to.deep.equal(Array<string>(5).fill('done'));
    for (const refused of settled.slice(5)) {
      expect(refused).to.be.instanceOf(BusyError).with.property('retryAfterSeconds', 1);
    }
    expect(state.peak).to.equal(2);
    expect(limit.pending).to.equal(0);
  });

  it('gives the slot of a failing task to the next one', async () => {
    const limit = createWorkLimit(1, 1);
    const failing = limit.run(() => Promise.reject(new Error('scrypt failed')));
    const next = limit.run(() => Promise.resolve('next'));
    expect(await failing.catch((error: Error) => error.message)).to.equal('scrypt failed');
    expect(await next).to.equal('next');
    expect(limit.pending).to.equal(0);
  });
});
