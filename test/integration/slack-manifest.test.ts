import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

describe('Slack: app manifest', () => {
  it("is valid against Slack's manifest schema and asks for the fewest scopes", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    // ajv-formats is CJS with a default export; under ESM interop it may arrive wrapped.
    type AddFormats = (a: Ajv) => Ajv;
    const mod = addFormats as unknown as AddFormats & { default?: AddFormats };
    (mod.default ?? mod)(ajv);
    const dir = '/work/shared/specs/slack-manifest';
    // The top schema refers to its versions by their published URLs: serve them from the local copies.
    for (const v of ['1.0.0', '2.0.0']) ajv.addSchema(read(`${dir}/manifest.schema.${v}.json`), `https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.${v}.json`);
    const validate = ajv.compile(read(`${dir}/manifest.schema.json`));
    const manifest = read('manifests/slack-app.json');
    const ok = validate(manifest);
    expect(ok, JSON.stringify(validate.errors, null, 2)).to.equal(true);
    expect(validate({ _metadata: { major_version: 1 }, features: {} }), 'an incomplete manifest fails').to.equal(false);
    const scopes = ((manifest.oauth_config as { scopes: { bot: string[] } }).scopes.bot).slice().sort();
    // War rooms (issue 7): create/topic/invite/archive public (channels:*) and private (groups:*) channels, reuse by name, pin, upload.
    // Issue 16: thread replies become notes (channels:history, groups:history for the message events).
    expect(scopes).to.deep.equal(['channels:history', 'channels:join', 'channels:manage', 'channels:read', 'chat:write', 'commands', 'files:write', 'groups:history', 'groups:read', 'groups:write', 'im:write', 'pins:write', 'users:read', 'users:read.email']);
    const settings = manifest.settings as { event_subscriptions: { bot_events: string[] } };
    expect(settings.event_subscriptions.bot_events).to.include.members(['app_home_opened', 'message.channels', 'message.groups']);
    const shortcuts = (manifest.features as { shortcuts: { type: string; callback_id: string }[] }).shortcuts;
    expect(shortcuts).to.deep.include({ name: 'Open an Esc ticket', type: 'message', callback_id: 'esc_ticket_from_message', description: "Open a ticket with this message's text and link" });
  });
});
