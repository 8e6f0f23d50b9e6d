import { createHash, randomBytes } from 'node:crypto';
import express from 'express';
import type { Router } from 'express';
import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { Clock } from '../../app/deps.js';

/** Where Esc serves war-room files (the after-action PDF) it cannot attach in Teams. */
export const WAR_ROOM_FILES_PATH = '/files/war-room';
/** Larger files are refused: a MongoDB document holds at most 16 MB, and a report is far smaller. */
export const MAX_WAR_ROOM_FILE_BYTES = 8 * 1024 * 1024;

export interface WarRoomFile {
  name: string;
  contentType: string;
  data: Buffer;
}

/** Short-lived, unguessable links to files Esc serves itself. */
export interface WarRoomFileLinks {
  /** Stores the file and returns a link that works until `expiresAt`. Throws when the file is too large. */
  put(file: WarRoomFile): Promise<{ url: string; expiresAt: Date }>;
}

interface FileDoc {
  _id: string;
  name: string;
  contentType: string;
  data: Buffer;
  createdAt: Date;
  expiresAt: Date;
}

const schema = new Schema<FileDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    contentType: { type: String, required: true },
    data: { type: Buffer, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'war_room_files', versionKey: false },
);
// Expired files are removed by the next put (no TTL index: the local database has none).
schema.index({ expiresAt: 1 });

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const safeName = (name: string) => name.replace(/[^\w.\- ]+/g, '_').slice(0, 120) || 'file';

/**
 * Files in MongoDB behind a 256-bit random token. Only the token's SHA-256 is stored, so a
 * copy of the database does not hand out working links; a link is refused after it expires.
 */
export class MongoWarRoomFiles implements WarRoomFileLinks {
  private readonly model: Model<FileDoc>;

  constructor(
    conn: Connection,
    private readonly args: { publicUrl: string; ttlMs: number; clock: Clock },
  ) {
    this.model = (conn.models.WarRoomFile as Model<FileDoc> | undefined) ?? conn.model<FileDoc>('WarRoomFile', schema);
  }

  ensureIndexes(): Promise<unknown> {
    return this.model.createIndexes();
  }

  async put(file: WarRoomFile): Promise<{ url: string; expiresAt: Date }> {
    if (file.data.length > MAX_WAR_ROOM_FILE_BYTES) throw new Error(`${file.name} is ${Math.round(file.data.length / 1024)} KB; war-room files are limited to ${MAX_WAR_ROOM_FILE_BYTES / 1024 / 1024} MB.`);
    const now = this.args.clock.now();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.args.ttlMs);
    const name = safeName(file.name);
    await this.model.deleteMany({ expiresAt: { $lt: now } });
    await this.model.create({ _id: hash(token), name, contentType: file.contentType, data: file.data, createdAt: now, expiresAt });
    return { url: `${this.args.publicUrl.replace(/\/+$/, '')}${WAR_ROOM_FILES_PATH}/${token}/${encodeURIComponent(name)}`, expiresAt };
  }

  /** GET {WAR_ROOM_FILES_PATH}/:token/:name: the file, or 404 when the link is unknown or expired. */
  router(): Router {
    const r = express.Router();
    r.get('/:token/:name', (req, res, next) => {
      const token = String(req.params.token ?? '');
      const gone = () => res.status(404).json({ error: 'NOT_FOUND', message: 'This link has expired or never existed. Ask in the war room for a fresh one (`aar ESC-n`).' });
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return void gone();
      this.model
        .findById(hash(token))
        .lean<FileDoc>()
        .then((doc) => {
          if (!doc || doc.expiresAt.getTime() <= this.args.clock.now().getTime()) {
            gone();
            return;
          }
          const data = Buffer.isBuffer(doc.data) ? doc.data : Buffer.from((doc.data as unknown as { buffer: ArrayBuffer }).buffer);
          res
            .status(200)
            .set({
              'content-type': doc.contentType,
              'content-disposition': `inline; filename="${doc.name.replace(/"/g, '')}"`,
              'cache-control': 'private, no-store',
              'x-content-type-options': 'nosniff',
              'referrer-policy': 'no-referrer',
            })
            .end(data);
        }, next);
    });
    return r;
  }
}
