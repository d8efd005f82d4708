/*
 * Fault injection for test/e2e/interrupts.test.ts, preloaded with
 * NODE_OPTIONS=--require: in the cnf-admin CLI's own process (not the run's,
 * which inherits NODE_OPTIONS), writing a line that holds
 * CNF_TEST_RENDER_FAULT to stdout throws, as a bug in showing a run would.
 */
const marker = process.env.CNF_TEST_RENDER_FAULT;
if (marker !== undefined && marker !== '' && process.argv[1] !== undefined && process.argv[1].endsWith('cnf-admin.cjs')) {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk, ...rest) => {
    if (String(chunk).includes(marker)) throw new Error('injected render fault');
    return write(chunk, ...rest);
  };
}
