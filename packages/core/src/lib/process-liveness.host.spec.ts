// hostTag reads the name from node:os, so the names it must clean are given by a mocked hostname().
let name = '';
// @types/jest predates unstable_mockModule, the ESM form of jest.mock.
const { unstable_mockModule: mockModule } = import.meta.jest as unknown as {
  unstable_mockModule(module: string, factory: () => unknown): void;
};
mockModule('node:os', () => ({ hostname: () => name }));
const { hostTag } = await import('./process-liveness.js');

describe('hostTag of a given host name', () => {
  it.each([
    ['node-7.cluster', 'node-7.cluster'],
    ['a b/c@d\te', 'a_b_c_d_e'],
    ['x'.repeat(70), 'x'.repeat(63)],
    ['', 'localhost'],
  ])('%j becomes %j', (given, tag) => {
    name = given;
    expect(hostTag()).toBe(tag);
  });
});
