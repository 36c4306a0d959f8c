#!/usr/bin/env -S node --max-semi-space-size=8
// The `latchkey` command as shipped (`npm start`, `npx latchkey`, the package's bin). Plain JavaScript so that
// Node runs it before any TypeScript, and it can turn the compile cache on for everything after it.
//
// Why these two things, measured in bench/README.md ("Idle memory and cold start"):
// - The compile cache keeps each module's type-stripped source and V8 code on disk (os.tmpdir(), or
//   NODE_COMPILE_CACHE), so a start after the first neither loads the TypeScript stripper (its WebAssembly
//   memory stays out of the process) nor recompiles ~900 modules: less idle RSS and a faster cold start.
// - `--max-semi-space-size=8` (MiB) caps V8's young generation at 16 MiB. Left to itself, V8 grows it to 64 MiB
//   on a large machine, in one step whenever its heuristics decide, which is most of a resting instance's
//   heap and makes RSS jump long after start. Token issuance keeps few objects alive across a scavenge, so
//   the smaller young generation costs no measurable throughput. `node:cluster` workers inherit the flag.
import module from 'node:module';

module.enableCompileCache?.();
const { runFromProcess } = await import('../src/cli/main.ts');
await runFromProcess();
