import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts, before any other module: V8's old generation grows by at most 50%
 * between full collections (its default lets it grow up to 4x when collections look cheap), so
 * garbage is collected before it piles up. Measured with `npm run bench -- memory` (Slack
 * configured, 5,000 signed ticket submissions at 500/s, same machine and load): peak RSS about
 * 320 -> 205 MB, hostile bodies about 400 -> 260 MB, CPU used for the load unchanged within noise
 * (9.4-9.9 s both). Rejected: --optimize-for-size (peak 159 MB but 60% more CPU),
 * --semi-space-growth-factor=1 (idle 127 MB but 12-25% more CPU). ESC_V8_FLAGS replaces the
 * flags ('' keeps V8's defaults).
 */
setFlagsFromString(process.env.ESC_V8_FLAGS ?? '--heap-growing-percent=50');
