/** A person's home as an Adaptive Card (issue 16): the Teams `home` command. Pure. */
import type { Home } from '../../app/use-cases/home.js';
import { homeSections } from '../../app/views/home-lines.js';
import type { AdaptiveCardJson } from './teams-cards.js';

const MAX_ROWS = 15;

export function homeCard(h: Home): AdaptiveCardJson {
  const body: Record<string, unknown>[] = [{ type: 'TextBlock', text: `Esc: ${h.name}`, size: 'Large', weight: 'Bolder', wrap: true }];
  for (const s of homeSections(h)) {
    body.push({ type: 'TextBlock', text: `${s.title}${s.rows.length > 0 ? ` (${s.rows.length})` : ''}`, weight: 'Bolder', separator: true, spacing: 'Medium', wrap: true });
    const rows = s.rows.slice(0, MAX_ROWS);
    if (rows.length === 0) body.push({ type: 'TextBlock', text: s.empty, isSubtle: true, wrap: true, spacing: 'Small' });
    for (const r of rows) body.push({ type: 'TextBlock', text: `- ${r.replace(/`/g, '')}`, wrap: true, spacing: 'Small', ...(/BREACHED|OVERDUE/.test(r) ? { color: 'Attention' } : {}) });
    if (s.rows.length > MAX_ROWS) body.push({ type: 'TextBlock', text: `…and ${s.rows.length - MAX_ROWS} more: type list mine`, isSubtle: true, wrap: true });
  }
  body.push({ type: 'TextBlock', text: `Times in ${h.zone}`, isSubtle: true, size: 'Small', wrap: true });
  const refresh = { type: 'Action.Execute', title: 'Refresh', verb: 'home', data: {}, fallback: { type: 'Action.Submit', title: 'Refresh', data: { verb: 'home' } } };
  return { type: 'AdaptiveCard', version: '1.5', body, actions: [refresh] };
}
