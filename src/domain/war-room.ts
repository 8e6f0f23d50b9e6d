/** Where a major escalation's war room lives. */
export interface WarRoomRef {
  /** 'outbox' when no chat platform is configured: the room is recorded, nothing is sent. */
  platform: 'slack' | 'teams' | 'outbox';
  /** Slack channel id (C…), Teams channel id (19:…@thread.tacv2) or group-chat id (19:…@thread.v2). */
  id: string;
  name: string;
  /** Teams: the team id when the room is a channel of a configured team. */
  teamId?: string | null;
  /** Only its members can find or read it (a confidential ticket's room); absent on older records. */
  private?: boolean;
  /** A link people can click, when the platform gives one. */
  url?: string | null;
}
