import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { ConversationRefRepository, StoredConversationRef } from '../../app/ports/conversation-refs.js';

// Bot Framework references hold keys such as "@odata" only rarely, but never '.'-keys we rely
// on; the reference is stored as a JSON string so FerretDB's key rules never bite.
interface RefDoc extends Omit<StoredConversationRef, 'reference'> {
  reference: string;
}

const schema = new Schema<RefDoc>(
  {
    platform: { type: String, required: true },
    personId: { type: String, default: null },
    conversationId: { type: String, required: true },
    scope: { type: String, required: true },
    tenantId: { type: String, default: null },
    serviceUrl: { type: String, required: true },
    reference: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'conversation_refs', versionKey: false },
);
schema.index({ platform: 1, conversationId: 1 }, { unique: true });
schema.index({ platform: 1, personId: 1, scope: 1, updatedAt: -1 });
schema.index({ platform: 1, tenantId: 1, updatedAt: -1 });

function toRef(d: RefDoc): StoredConversationRef {
  return {
    platform: d.platform,
    personId: d.personId,
    conversationId: d.conversationId,
    scope: d.scope,
    tenantId: d.tenantId,
    serviceUrl: d.serviceUrl,
    reference: JSON.parse(d.reference) as Record<string, unknown>,
    updatedAt: d.updatedAt,
  };
}

/** Conversation references in MongoDB (collection conversation_refs). */
export class MongoConversationRefRepository implements ConversationRefRepository {
  private readonly model: Model<RefDoc>;
  private indexed: Promise<unknown> | null = null;

  constructor(conn: Connection) {
    this.model = (conn.models.ConversationRef as Model<RefDoc> | undefined) ?? conn.model<RefDoc>('ConversationRef', schema);
  }

  /** Creates the indexes once (the app's autoIndex is off). */
  ensureIndexes(): Promise<unknown> {
    this.indexed ??= this.model.createIndexes();
    return this.indexed;
  }

  async save(ref: StoredConversationRef): Promise<void> {
    await this.ensureIndexes();
    const doc: RefDoc = { ...ref, reference: JSON.stringify(ref.reference) };
    await this.model.updateOne({ platform: ref.platform, conversationId: ref.conversationId }, { $set: doc }, { upsert: true });
  }

  async personal(platform: string, personId: string): Promise<StoredConversationRef | null> {
    const d = await this.model.findOne({ platform, personId, scope: 'personal' }).sort({ updatedAt: -1 }).lean<RefDoc>();
    return d ? toRef(d) : null;
  }

  async byConversation(platform: string, conversationId: string): Promise<StoredConversationRef | null> {
    const d = await this.model.findOne({ platform, conversationId }).lean<RefDoc>();
    return d ? toRef(d) : null;
  }

  async anyInTenant(platform: string, tenantId: string | null): Promise<StoredConversationRef | null> {
    const d = await this.model.findOne(tenantId === null ? { platform } : { platform, tenantId }).sort({ updatedAt: -1 }).lean<RefDoc>();
    return d ? toRef(d) : null;
  }
}
