/** Advisor handoffs in process memory, for `npm run chat` and the shared store tests. */
import type { UserRef } from '../conversation/types.ts';
import type { DeliveryState, Handoff, HandoffMessage } from '../handoff/types.ts';
import type { HandoffPatch, HandoffStore, NewHandoff, TakeResult } from './handoff-store.ts';

const userKey = (u: UserRef) => `${u.channel}:${u.id}`;

export class MemoryHandoffs implements HandoffStore {
  private readonly records = new Map<string, Handoff>();
  private readonly log = new Map<string, HandoffMessage[]>();
  private readonly activeOf = new Map<string, string>();
  private readonly threads = new Map<string, string>();

  async open(fields: NewHandoff): Promise<{ handoff: Handoff; created: boolean }> {
    const existing = this.activeOf.get(userKey(fields.user));
    if (existing && this.records.has(existing)) return { handoff: structuredClone(this.records.get(existing)!), created: false };
    const handoff: Handoff = { ...structuredClone(fields), status: 'open' };
    this.records.set(handoff.id, handoff);
    this.activeOf.set(userKey(fields.user), handoff.id);
    return { handoff: structuredClone(handoff), created: true };
  }

  async get(id: string): Promise<Handoff | undefined> {
    const record = this.records.get(id);
    return record && structuredClone(record);
  }

  async active(user: UserRef): Promise<Handoff | undefined> {
    const id = this.activeOf.get(userKey(user));
    return id ? this.get(id) : undefined;
  }

  async byThread(channel: string, ts: string): Promise<Handoff | undefined> {
    const id = this.threads.get(`${channel}:${ts}`);
    return id ? this.get(id) : undefined;
  }

  async list(limit: number): Promise<Handoff[]> {
    return [...this.records.values()]
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
      .slice(0, limit)
      .map((h) => structuredClone(h));
  }

  async update(id: string, patch: HandoffPatch): Promise<Handoff | undefined> {
    const record = this.records.get(id);
    if (!record) return undefined;
    for (const [key, value] of Object.entries(patch) as [keyof HandoffPatch, string | null | undefined][]) {
      if (value === null) delete record[key];
      else if (value !== undefined) record[key] = value;
    }
    if (patch.slackChannel && patch.slackTs) this.threads.set(`${patch.slackChannel}:${patch.slackTs}`, id);
    return this.get(id);
  }

  async take(id: string, staff: string, at: string): Promise<TakeResult | undefined> {
    const record = this.records.get(id);
    if (!record) return undefined;
    if (record.status === 'ended') return { ok: false, handoff: structuredClone(record) };
    const previous = record.takenBy;
    Object.assign(record, { status: 'taken', takenBy: staff, takenAt: at });
    return { ok: true, handoff: structuredClone(record), ...(previous && previous !== staff ? { previous } : {}) };
  }

  async end(id: string, by: string, at: string): Promise<{ handoff: Handoff; changed: boolean } | undefined> {
    const record = this.records.get(id);
    if (!record) return undefined;
    if (record.status === 'ended') return { handoff: structuredClone(record), changed: false };
    Object.assign(record, { status: 'ended', endedBy: by, endedAt: at });
    delete record.dueAt;
    if (this.activeOf.get(userKey(record.user)) === id) this.activeOf.delete(userKey(record.user));
    return { handoff: structuredClone(record), changed: true };
  }

  async append(id: string, message: HandoffMessage): Promise<{ message: HandoffMessage; created: boolean }> {
    const messages = this.log.get(id) ?? [];
    const existing = messages.find((m) => m.id === message.id);
    if (existing) return { message: structuredClone(existing), created: false };
    messages.push(structuredClone(message));
    this.log.set(id, messages);
    return { message, created: true };
  }

  async setDelivery(id: string, messageId: string, delivery: DeliveryState, detail?: string): Promise<void> {
    const message = this.log.get(id)?.find((m) => m.id === messageId);
    if (!message) return;
    message.delivery = delivery;
    if (detail !== undefined) message.detail = detail;
    else delete message.detail;
  }

  async messages(id: string): Promise<HandoffMessage[]> {
    return structuredClone(this.log.get(id) ?? []);
  }

  async deleteForUser(user: UserRef): Promise<void> {
    for (const [id, record] of this.records) {
      if (userKey(record.user) !== userKey(user)) continue;
      this.records.delete(id);
      this.log.delete(id);
      if (record.slackChannel && record.slackTs) this.threads.delete(`${record.slackChannel}:${record.slackTs}`);
    }
    this.activeOf.delete(userKey(user));
  }
}
