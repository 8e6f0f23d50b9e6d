/** A person's home as Block Kit (issue 16): the App Home tab and `/esc home`. Pure. */
import type { Home } from '../../app/use-cases/home.js';
import { homeSections } from '../../app/views/home-lines.js';
import type { Block } from './blocks.js';
import { clip, context, esc, section } from './blocks.js';

const MAX_ROWS = 15;

export function homeBlocks(h: Home): Block[] {
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: clip(`Esc: ${h.name}`, 150) } }];
  for (const s of homeSections(h)) {
    blocks.push({ type: 'divider' }, section(`*${esc(s.title)}*${s.rows.length > 0 ? ` (${s.rows.length})` : ''}`));
    // User text escaped; the core's `code` kept.
    const rows = s.rows.slice(0, MAX_ROWS).map((r) => `• ${esc(r)}`);
    if (s.rows.length > MAX_ROWS) rows.push(`…and ${s.rows.length - MAX_ROWS} more: \`/esc list mine\``);
    blocks.push(rows.length > 0 ? section(rows.join('\n')) : context(esc(s.empty)));
  }
  blocks.push(context(`Updated ${esc(h.now.toISOString().slice(0, 16).replace('T', ' '))} UTC · times in ${esc(h.zone)} · \`/esc help\` for the commands`));
  return blocks.slice(0, 100);
}

/** The App Home view (views.publish). */
export function homeView(h: Home): Block {
  return { type: 'home', blocks: homeBlocks(h) };
}
