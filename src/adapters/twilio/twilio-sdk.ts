import { createRequire } from 'node:module';
import type TwilioSdk from 'twilio';

const require = createRequire(import.meta.url);
let sdk: typeof TwilioSdk | null = null;

/**
 * The Twilio SDK, loaded on first use (about 0.4 s of start-up and 20 MB): a process without
 * Twilio configured never loads it. The SDK is CommonJS, so a synchronous require() works.
 */
export const twilioSdk = (): typeof TwilioSdk => (sdk ??= require('twilio') as typeof TwilioSdk);
