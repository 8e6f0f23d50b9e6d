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
 * - `--heap-growing-percent=100` (the default since wave 5 of issue 18): what makes the load
 *   peak is not what stays alive but how far V8 lets the old generation grow past it. Under
 *   the load the live heap after each full collection (`--trace-gc`) stays at 45-65 MB (a heap
 *   snapshot mid-load: 60 MB with 5,000 requests waiting, 427 of them inside Esc; nothing
 *   queues up), but ~100 KB allocated per request, about 40% of it still alive at a
 *   scavenge (the request waits for its database write), is promoted at ~30 MB/s, and V8's
 *   own heuristic (GC is cheap here, mutator utilisation 0.99) lets the old generation reach
 *   4 x the live size: full collections at ~200-250 MB, every ~4.5 s. At 2 x (this flag):
 *   at ~100-115 MB, every ~1.6 s (10 instead of 3 in a 20 s load). Measured 22:40-23:05 UTC,
 *   machine load 5-12 (other work): peak RSS of the 30 s memory bench 228 and 297 MB instead
 *   of 384 and 415 MB; a 30 s 500/s load 186-201 instead of 268-331 MB; CPU for the load
 *   +0-15% (within the run-to-run noise of that machine; the extra full collections are
 *   ~10 ms pauses, the scavenges stay as many). Idle RSS unchanged (the idle heap never
 *   reaches a limit).
 * - `--heap-growing-percent=50` (measured before the intake wrote in groups, when the live heap
 *   itself grew with a backlog) took the peak RSS from about 570 to 350-390 MB, but the extra
 *   full collections on a growing heap took the ack p50 from about 90 ms to 5-7 s and 10-15%
 *   more CPU; `--optimize-for-size` (peak 159 MB in a 10 s load) cost 60% more CPU. A larger
 *   young generation (`--max-semi-space-size=4` or `8`, start-up flags) did not lower the peak.
 */
const DEFAULT_FLAGS = '--semi-space-growth-factor=1 --heap-growing-percent=100';
const flags = (process.env.ESC_V8_FLAGS ?? DEFAULT_FLAGS).trim();
if (flags) setFlagsFromString(flags);
