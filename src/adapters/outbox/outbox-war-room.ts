import mongoose from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { Logger } from '../../app/deps.js';
import type { Person } from '../../domain/directory.js';
import type { WarRoomMessage, WarRoomOpenArgs, WarRoomPort, WarRoomRef } from '../../app/ports/war-room.js';

interface RoomDoc {
  _id: string;
  name: string;
  topic: string;
  private?: boolean;
  members: string[];
  createdAt: Date;
  archivedAt: Date | null;
}

interface PostDoc {
  _id: string;
  roomId: string;
  at: Date;
  seq: number;
  text: string;
  pin: boolean;
  file: { name: string; contentType: string; size: number; title: string | null } | null;
}

export interface OutboxPost {
  at: Date;
  text: string;
  pin: boolean;
  file: PostDoc['file'];
}

/**
 * The war room when no chat platform is configured: rooms, invitations and posts are
 * written to the database (collections `war_rooms` and `war_room_posts`) and logged,
 * clearly marked NOT SENT, so the story can still be followed and tested. Like the outbox
 * notifier, it never fails for lack of a platform.
 */
export class OutboxWarRoom implements WarRoomPort {
  readonly platform = 'outbox' as const;
  private seq = 0;
  private rooms: Model<RoomDoc> | null = null;
  private posts: Model<PostDoc> | null = null;

  constructor(
    private readonly connection: () => Connection,
    private readonly now: () => Date,
    private readonly log?: Logger,
  ) {}

  private models() {
    const conn = this.connection();
    this.rooms ??=
      (conn.models.OutboxWarRoom as Model<RoomDoc> | undefined) ??
      conn.model<RoomDoc>('OutboxWarRoom', new mongoose.Schema<RoomDoc>({ _id: String, name: String, topic: String, private: Boolean, members: [String], createdAt: Date, archivedAt: Date }, { versionKey: false }), 'war_rooms');
    if (!this.posts) {
      const schema = new mongoose.Schema<PostDoc>({ _id: String, roomId: String, at: Date, seq: Number, text: String, pin: Boolean, file: mongoose.Schema.Types.Mixed }, { versionKey: false });
      schema.index({ roomId: 1, at: 1, seq: 1 });
      this.posts = (conn.models.OutboxWarRoomPost as Model<PostDoc> | undefined) ?? conn.model<PostDoc>('OutboxWarRoomPost', schema, 'war_room_posts');
    }
    return { rooms: this.rooms, posts: this.posts };
  }

  private ref(name: string): WarRoomRef {
    return { platform: 'outbox', id: `outbox:${name}`, name, teamId: null, url: null };
  }

  async open(args: WarRoomOpenArgs): Promise<WarRoomRef> {
    const { rooms } = this.models();
    const ref = { ...this.ref(args.name), ...(args.private ? { private: true } : {}) };
    // Upsert by name: opening the same room twice reuses it.
    await rooms.updateOne(
      { _id: ref.id },
      { $setOnInsert: { name: args.name, topic: args.topic, private: !!args.private, createdAt: this.now(), archivedAt: null }, $addToSet: { members: { $each: args.members.map((p) => p.id) } } },
      { upsert: true },
    );
    this.log?.info({ outbox: true, room: args.name, members: args.members.map((p) => p.id) }, `NOT SENT (no chat platform configured): war room #${args.name} recorded`);
    return ref;
  }

  async invite(room: WarRoomRef, members: Person[]): Promise<{ unreachable: Person[] }> {
    const { rooms } = this.models();
    await rooms.updateOne({ _id: room.id }, { $addToSet: { members: { $each: members.map((p) => p.id) } } });
    return { unreachable: [] };
  }

  async post(room: WarRoomRef, message: WarRoomMessage): Promise<void> {
    const { posts } = this.models();
    const at = this.now();
    const seq = ++this.seq;
    await posts.create({
      _id: `${room.id}:${at.getTime()}:${seq}:${Math.random().toString(36).slice(2, 8)}`,
      roomId: room.id,
      at,
      seq,
      text: message.text,
      pin: !!message.pin,
      file: message.file ? { name: message.file.name, contentType: message.file.contentType, size: message.file.data.length, title: message.file.title ?? null } : null,
    });
    this.log?.info({ outbox: true, room: room.name, pin: !!message.pin, file: message.file?.name ?? null }, `NOT SENT (no chat platform configured): war room post in #${room.name}`);
  }

  async archive(room: WarRoomRef): Promise<void> {
    const { rooms } = this.models();
    await rooms.updateOne({ _id: room.id, archivedAt: null }, { $set: { archivedAt: this.now() } });
  }

  /** The recorded room (tests, the closing transcript). */
  async room(id: string): Promise<(Omit<RoomDoc, '_id'> & { id: string }) | null> {
    const d = await this.models().rooms.findById(id).lean();
    if (!d) return null;
    const { _id, ...rest } = d;
    return { id: _id, ...rest };
  }

  /** The room's posts, oldest first. */
  async transcript(id: string): Promise<OutboxPost[]> {
    const docs = await this.models().posts.find({ roomId: id }).sort({ at: 1, seq: 1 }).lean();
    return docs.map((d) => ({ at: d.at, text: d.text, pin: d.pin, file: d.file ?? null }));
  }
}
