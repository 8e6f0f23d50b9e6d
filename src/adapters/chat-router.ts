import type { Delivery } from '../app/ports/deliveries.js';
import type { Notifier, SendResult } from '../app/ports/notifier.js';
import type { Person } from '../domain/directory.js';

/** A chat notifier with a say in who it can reach. */
export interface RoutedChat {
  notifier: Notifier;
  /** True when this platform should carry the delivery (the person has an id there, or the channel is its). */
  reaches(delivery: Delivery, person: Person | undefined): boolean;
}

/**
 * With Slack and Teams both configured, the one 'chat' channel goes to the platform that
 * knows the recipient: Slack ids (U…, C…/G… channels) to Slack, Teams ids and conversation
 * ids (19:… / a:…) to Teams. Someone known on both gets the first configured; nobody known
 * anywhere goes to the first one, which answers with its own permanent failure (recorded,
 * and the step falls back to the person's next contact method).
 */
export class ChatRouter implements Notifier {
  readonly channel = 'chat' as const;
  readonly name: string;
  constructor(private readonly routes: RoutedChat[]) {
    if (routes.length === 0) throw new Error('ChatRouter needs at least one chat notifier');
    this.name = routes.map((r) => r.notifier.name).join(' + ');
  }

  send(d: Delivery, person: Person | undefined): Promise<SendResult> {
    const route = this.routes.find((r) => r.reaches(d, person)) ?? this.routes[0]!;
    return route.notifier.send(d, person);
  }
}

export const reachesOnSlack = (d: Delivery, p: Person | undefined): boolean =>
  d.recipient.channelId ? /^[CGD][A-Z0-9]+$/.test(d.recipient.channelId) : !!p?.slackId;

export const reachesOnTeams = (d: Delivery, p: Person | undefined): boolean =>
  d.recipient.channelId ? /^(19:|a:|8:)/.test(d.recipient.channelId) : !!p?.teamsId;
