#!/usr/bin/env node
// Builds the Teams app package (manifest.json + icons in one zip) to sideload or publish.
// Usage: TEAMS_APP_ID=<bot app id> ESC_PUBLIC_URL=https://esc.example.org node scripts/pack-teams-app.mjs [out.zip]
// TEAMS_APP_ID becomes both the app id and the bot id; the host of ESC_PUBLIC_URL the only valid domain.
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import yazl from 'yazl';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const src = new URL('../manifests/teams/', import.meta.url);
const out = resolve(process.argv[2] ?? 'build/esc-teams-app.zip');
const appId = process.env.TEAMS_APP_ID ?? '';
const publicUrl = process.env.ESC_PUBLIC_URL ?? '';
const problems = [];
if (!GUID.test(appId)) problems.push('TEAMS_APP_ID: set it to the Azure Bot\'s Microsoft App ID (a GUID)');
let host = '';
try {
  host = new URL(publicUrl).host;
} catch {
  problems.push('ESC_PUBLIC_URL: set it to the public https URL Esc is reachable at, e.g. https://esc.example.org');
}
if (problems.length > 0) {
  process.stderr.write(`Cannot pack the Teams app:\n  ${problems.join('\n  ')}\n`);
  process.exit(2);
}

const manifest = JSON.parse(readFileSync(new URL('manifest.json', src), 'utf8'));
manifest.id = appId;
for (const bot of manifest.bots ?? []) bot.botId = appId;
for (const ext of manifest.composeExtensions ?? []) ext.botId = appId;
// Resource-specific consent (ChannelMessage.Read.Group: thread replies become notes) names the same app.
if (manifest.webApplicationInfo) manifest.webApplicationInfo.id = appId;
manifest.validDomains = [host];
manifest.developer = { ...manifest.developer, websiteUrl: publicUrl.replace(/\/$/, ''), privacyUrl: `${publicUrl.replace(/\/$/, '')}/privacy`, termsOfUseUrl: `${publicUrl.replace(/\/$/, '')}/terms` };
if (process.env.TEAMS_APP_VERSION) manifest.version = process.env.TEAMS_APP_VERSION;

await mkdir(dirname(out), { recursive: true });
const zip = new yazl.ZipFile();
// Teams wants the three files at the root of the zip, not in a folder.
zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json');
zip.addBuffer(readFileSync(new URL(manifest.icons.color, src)), manifest.icons.color);
zip.addBuffer(readFileSync(new URL(manifest.icons.outline, src)), manifest.icons.outline);
zip.end();
await new Promise((res, rej) => zip.outputStream.pipe(createWriteStream(out)).on('close', res).on('error', rej));
process.stdout.write(`Teams app package: ${out} (app id ${appId}, domain ${host}). Upload it in Teams: Apps > Manage your apps > Upload an app.\n`);
