import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { CARD_NAMES, cardBytes, MAX_CARD_BYTES } from '../../src/adapters/teams/teams-cards.js';
import { sampleCards } from './teams-sample-cards.js';

const require = createRequire(import.meta.url);
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

describe('Teams: cards and app manifest', () => {
  const rendered = sampleCards();

  it('every card in cards/ is a template for a card we render', () => {
    const files = readdirSync('cards').filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    expect(files.sort()).to.deep.equal([...CARD_NAMES].sort());
    for (const f of files) expect(readJson(`cards/${f}.json`)).to.include({ type: 'AdaptiveCard', version: '1.5' });
  });

  it('every rendered card is valid Adaptive Card 1.5, under 80 KB, with Action.Execute falling back to Action.Submit', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
    // The published schema names itself with draft-04's "id" while declaring draft-06.
    const { id, ...schema } = readJson('/work/shared/specs/adaptive-cards/adaptive-card-1.5.schema.json');
    const validate = ajv.compile({ ...schema, $id: String(id) });
    expect(validate({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'x', colour: 'red' }] }), 'the validator bites').to.equal(false);
    for (const [name, card] of rendered) {
      expect(validate(card), `${name}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
      expect(cardBytes(card), name).to.be.below(MAX_CARD_BYTES);
      const json = JSON.stringify(card);
      expect(json, name).to.not.match(/"\$(when|data)"/);
      type A = { type: string; verb?: string; fallback?: { type: string; data?: { verb?: string } }; card?: { actions?: A[] } };
      // A ShowCard (the ticket's More set, issue 16) holds actions of its own: the same rule applies to them.
      const actions = ((card as { actions?: A[] }).actions ?? []).flatMap((a) => (a.type === 'Action.ShowCard' ? (a.card?.actions ?? []) : [a]));
      for (const a of actions) {
        expect(a.type, name).to.equal('Action.Execute');
        expect(a.fallback?.type, name).to.equal('Action.Submit');
        if (a.verb) expect(a.fallback?.data?.verb, name).to.equal(a.verb);
      }
    }
    expect(JSON.stringify(rendered.find(([n]) => n === 'ticket')![1])).to.include('${notAnExpression}');
  });

  it('the manifest is valid against the official Teams schema, with the icons it names', () => {
    const manifest = readJson('manifests/teams/manifest.json');
    const v = String(manifest.manifestVersion);
    const schema = readJson(require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${v}/MicrosoftTeams.schema.json`));
    const ajv = new AjvDraft04.default({ strict: false, allErrors: true, logger: false });
    const validate = ajv.compile(schema);
    expect(validate(manifest), ajv.errorsText(validate.errors)).to.equal(true);
    // Issue 16: `home` among the personal commands (Teams shows at most 10 per list); thread replies need ChannelMessage.Read.Group (RSC).
    const lists = (manifest.bots as { commandLists: { scopes: string[]; commands: { title: string }[] }[] }[])[0]!.commandLists;
    expect(lists.find((l) => l.scopes.includes('personal'))!.commands.map((c) => c.title)).to.include('home');
    expect((manifest.authorization as { permissions: { resourceSpecific: unknown[] } }).permissions.resourceSpecific).to.deep.include({ name: 'ChannelMessage.Read.Group', type: 'Application' });
    const png = (f: string) => {
      const b = readFileSync(`manifests/teams/${f}`);
      expect(b.subarray(1, 4).toString()).to.equal('PNG');
      return [b.readUInt32BE(16), b.readUInt32BE(20)];
    };
    const icons = manifest.icons as { color: string; outline: string };
    expect(png(icons.color)).to.deep.equal([192, 192]);
    expect(png(icons.outline)).to.deep.equal([32, 32]);
  });

  it('packs manifest and icons into a zip with the real app id and domain', () => {
    const out = execFileSync('node', ['scripts/pack-teams-app.mjs', 'test-artifacts/esc-teams-app.zip'], { env: { ...process.env, TEAMS_APP_ID: '11111111-2222-3333-4444-555555555555', ESC_PUBLIC_URL: 'https://esc.example.org' } }).toString();
    expect(out).to.include('esc.example.org');
    const zip = readFileSync('test-artifacts/esc-teams-app.zip');
    for (const name of ['manifest.json', 'color.png', 'outline.png']) expect(zip.includes(Buffer.from(name)), name).to.equal(true);
  });
});
