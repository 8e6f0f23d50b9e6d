import { z } from 'zod/v4';

/** `teams[].channel`: a Slack channel id, a Teams channel conversation id, or `{ slack, teams }`. */
export const teamChannelSchema = z.union([
  z.string().min(1),
  z.strictObject({
    slack: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id like C0123ABC').optional(),
    teams: z.string().regex(/^19:/, 'a Teams channel conversation id like 19:abc@thread.tacv2').optional(),
  }),
]);

/** `channel: C0123` (Slack), `channel: "19:…"` (Teams) or `channel: { slack, teams }`. */
export function teamChannels(c: z.output<typeof teamChannelSchema> | undefined): { channel?: string; teamsChannel?: string } {
  if (!c) return {};
  if (typeof c === 'string') return c.startsWith('19:') ? { teamsChannel: c } : { channel: c };
  return { ...(c.slack ? { channel: c.slack } : {}), ...(c.teams ? { teamsChannel: c.teams } : {}) };
}
