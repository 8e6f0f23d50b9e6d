import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts, before any other module: V8 flags from ESC_V8_FLAGS (none by
 * default), for deployments that must trade speed for memory. Measured with
 * `npm run bench -- memory` (Slack configured, 500 signed ticket submissions/s for 60 s on a
 * loaded 2-core machine, more than Esc could absorb there): `--heap-growing-percent=50` took the
 * peak RSS from about 570 to 350-390 MB, but the extra full collections on a growing heap took
 * the ack p50 from about 90 ms to 5-7 s and 10-15% more CPU, so it is not the default;
 * `--optimize-for-size` (peak 159 MB in a 10 s load) cost 60% more CPU.
 */
const flags = process.env.ESC_V8_FLAGS?.trim();
if (flags) setFlagsFromString(flags);
