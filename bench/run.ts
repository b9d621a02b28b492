// `npm run bench`: every bench/*.bench.ts in turn, in one process, so ratios are measured in one run.
import '../local/quiet-sdk-warning';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const only = process.argv[2];
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts') && (!only || f.startsWith(only)))
    .sort();
  console.log(`# scopegate benchmarks (node ${process.version}, ${new Date().toISOString()})`);
  for (const file of files) {
    const bench = (await import(join(__dirname, file))) as { runBench(): Promise<void> };
    await bench.runBench();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
