import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts, before any other module: V8 flags from ESC_V8_FLAGS, for
 * deployments that must trade speed for memory; unset, DEFAULT_FLAGS (set it to an empty
 * value for none). Measured with `npm run bench -- memory` (Slack configured, 500 signed
 * ticket submissions/s on a loaded 2-core machine):
 * - `--semi-space-growth-factor=1` (the default): the young generation stays at its starting
 *   size instead of growing to 3 x 16 MB, which V8 then keeps: idle RSS 129 MB instead of
 *   152 (same run order, 19:46 UTC), load peak ~20 MB lower, CPU for the load +4% (more, smaller
 *   scavenges; within the run-to-run noise). (`--max-semi-space-size` would do the same but is
 *   read only when V8 starts, not here.)
 * - `--heap-growing-percent=50` took the peak RSS from about 570 to 350-390 MB, but the extra
 *   full collections on a growing heap took the ack p50 from about 90 ms to 5-7 s and 10-15%
 *   more CPU; `--optimize-for-size` (peak 159 MB in a 10 s load) cost 60% more CPU.
 */
const DEFAULT_FLAGS = '--semi-space-growth-factor=1';
const flags = (process.env.ESC_V8_FLAGS ?? DEFAULT_FLAGS).trim();
if (flags) setFlagsFromString(flags);
