import type { Database } from '../platform/db/database.ts';
import type { SecretBox } from '../platform/secrets/secret-box.ts';
import { type Channel, getProvider, openTransport, type Transport } from './providers.ts';

type Entry = { version: string; transport: Promise<Transport & { defaultFrom: string }> };

/**
 * One open transport per database, channel and process, so SMTP connections are pooled across
 * batches. A changed provider (new settings) gets a new transport; the old one is closed.
 */
const open = new WeakMap<Database, Map<Channel, Entry>>();

export async function cachedTransport(db: Database, secrets: SecretBox, channel: Channel, publicUrl: string) {
  const provider = await getProvider(db.orm, channel);
  const version = provider.updatedAt ?? 'default';
  const byChannel = open.get(db) ?? new Map<Channel, Entry>();
  open.set(db, byChannel);
  const current = byChannel.get(channel);
  if (current?.version === version) return current.transport;
  if (current) void current.transport.then((t) => t.close()).catch(() => {});
  const transport = openTransport(db, secrets, channel, { publicUrl });
  byChannel.set(channel, { version, transport });
  return transport;
}

/** Closes the transports opened for this database (worker shutdown, tests). */
export async function closeTransports(db: Database): Promise<void> {
  const byChannel = open.get(db);
  open.delete(db);
  await Promise.all(
    [...(byChannel?.values() ?? [])].map((e) => e.transport.then((t) => t.close()).catch(() => {})),
  );
}
