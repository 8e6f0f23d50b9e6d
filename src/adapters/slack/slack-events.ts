/**
 * Slack events beyond commands and buttons (issue 16): replies in the thread of a ticket's
 * channel post become notes, with their author, exactly once. Transport only: the note is the
 * `addNote` use case (authorized there); the key makes Slack's retries of an event one note.
 */
import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app/deps.js';
import { addNote } from '../../app/use-cases/ticket-work.js';
import { normaliseSlackText } from './slack-shell.js';
import { personalHome } from '../../app/use-cases/home.js';
import { homeView } from './home-blocks.js';
import { ticketModal } from './views.js';

/** The fields of a `message` event this reads. */
interface MessageEvent {
  subtype?: string;
  bot_id?: string;
  user?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  channel?: string;
}

/** A reply a person wrote in a thread (not the parent, an edit, a deletion, a bot, a join). */
export function threadReply(e: MessageEvent): { channel: string; ts: string; threadTs: string; user: string; text: string } | null {
  // thread_broadcast: "also send to the channel", still a reply.
  if ((e.subtype && e.subtype !== 'thread_broadcast') || e.bot_id) return null;
  if (!e.thread_ts || !e.ts || e.thread_ts === e.ts || !e.user || !e.channel || !e.text?.trim()) return null;
  return { channel: e.channel, ts: e.ts, threadTs: e.thread_ts, user: e.user, text: e.text };
}

/** Publishes a person's App Home (views.publish). Never throws: logged. */
export async function publishHome(deps: AppDeps, client: App['client'], slackUserId: string): Promise<boolean> {
  const person = deps.directory().bySlackId(slackUserId);
  try {
    if (!person) {
      await client.views.publish({ user_id: slackUserId, view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Esc does not know you yet: ask an Esc admin to add \`slackId: ${slackUserId}\` to your entry in the org file.` } }] } as never });
      return false;
    }
    await client.views.publish({ user_id: slackUserId, view: homeView(await personalHome(deps, person)) as never });
    // Remembered, so the engine publishes it again when its content changes (issue 16).
    await deps.homes?.opened(person.id, { platform: 'slack', userId: slackUserId }, deps.clock.now());
    return true;
  } catch (err) {
    deps.log.warn({ err: (err as Error).message, code: 'SLACK_HOME_FAILED' }, 'slack: could not publish the App Home');
    return false;
  }
}

/** The message shortcut's callback id (manifests/slack-app.json). */
export const TICKET_FROM_MESSAGE = 'esc_ticket_from_message';

/** What a message becomes in the ticket form: its first line as the title, its text and link as the description. */
export function ticketFromMessage(text: string, link: string | null): { title: string; description: string } {
  const plain = text.trim();
  const first = plain.split('\n').find((l) => l.trim())?.trim() ?? '';
  const title = first.length > 0 ? (first.length > 120 ? `${first.slice(0, 119)}…` : first) : 'Ticket from a Slack message';
  return { title, description: [plain, link ? `From Slack: ${link}` : ''].filter(Boolean).join('\n\n').slice(0, 3000) };
}

export function registerSlackThreadNotes(app: App, deps: AppDeps): void {
  // "Open an Esc ticket" on a message (issue 16): the ticket form, prefilled with its text and link.
  app.shortcut({ callback_id: TICKET_FROM_MESSAGE, type: 'message_action' }, async ({ ack, shortcut, client }) => {
    await ack();
    const s = shortcut as unknown as { trigger_id: string; user: { id: string }; channel?: { id?: string }; message?: { text?: string; ts?: string }; team?: { domain?: string } | null };
    const dir = deps.directory();
    const channel = s.channel?.id ?? s.user.id;
    const ts = s.message?.ts;
    const link = ts && s.channel?.id ? `https://${s.team?.domain ?? 'app'}.slack.com/archives/${s.channel.id}/p${ts.replace('.', '')}` : null;
    const form = ticketFromMessage(normaliseSlackText(s.message?.text ?? '', (id) => dir.bySlackId(id)?.id).replace(/ {2,}/g, ' ').replace(/ +$/gm, ''), link);
    try {
      await client.views.open({ trigger_id: s.trigger_id, view: ticketModal(dir, { ...form, channelId: channel }) as never });
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, code: 'SLACK_SHORTCUT_FAILED' }, 'slack: could not open the ticket form from a message');
    }
  });

  // The App Home: published each time it is opened (issue 16).
  app.event('app_home_opened', async ({ event, client }) => {
    if ((event as { tab?: string }).tab === 'messages') return;
    await publishHome(deps, client, (event as { user: string }).user);
  });

  app.event('message', async ({ event }) => {
    const r = threadReply(event as MessageEvent);
    if (!r || !deps.ticketMessages) return;
    const ticketId = await deps.ticketMessages.ticketAt({ platform: 'slack', channel: r.channel, ts: r.threadTs });
    if (!ticketId) return;
    const dir = deps.directory();
    const person = dir.bySlackId(r.user);
    if (!person) return void deps.log.info({ ticketId, user: r.user }, 'slack: a thread reply by someone not in the directory was not added as a note');
    const text = normaliseSlackText(r.text, (id) => dir.bySlackId(id)?.id).replace(/ {2,}/g, ' ').trim();
    try {
      await addNote(deps, ticketId, text, { personId: person.id, via: 'slack', name: person.name }, { key: `slack-reply:${r.channel}:${r.ts}`, data: { from: 'slack-thread' } });
    } catch (err) {
      // A reply by someone who may not see the ticket (confidential): not a note, and nothing said in the thread.
      deps.log.info({ ticketId, err: (err as Error).message }, 'slack: a thread reply was not added as a note');
    }
  });
}
