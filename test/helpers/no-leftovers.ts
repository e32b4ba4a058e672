// A mocha root hook for the integration suite: after the last test, no server a test started may still be
// running. One that is (a test lost its reference, or failed before stopping it) is stopped here and fails
// the run with its port and environment, so a leak is fixed where it starts instead of holding CI's ports
// and CPU for the rest of the run.
import { stopLeftovers } from './server.js';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    const left = await stopLeftovers();
    if (left.length > 0) throw new Error(`servers left running by the tests:\n${left.join('\n')}`);
  },
};
