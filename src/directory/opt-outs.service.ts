import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../platform/db/database.ts';

/**
 * Changes to a contact's reachability that come from messaging rather than an import: a hard
 * bounce, an unsubscribe click, a STOP texted back. Each is kept in the attribute history with its
 * source, like any other change, so the timeline says when and why a contact stopped receiving.
 */

type Flag = 'email_opt_out' | 'sms_opt_out' | 'email_bounced';

async function setFlag(tx: Executor, contactId: number, flag: Flag, source: string, reason?: string) {
  const column = sql.raw(flag);
  const changed = await queryRows<{ directory_id: number }>(
    tx,
    sql`UPDATE contacts SET ${column} = true, updated_at = now()
        ${flag === 'email_bounced' ? sql`, email_bounced_reason = ${reason ?? null}` : sql``}
        WHERE id = ${contactId} AND ${column} = false RETURNING directory_id`,
  );
  const [row] = changed;
  if (!row) return false;
  await tx.execute(sql`INSERT INTO attribute_history (directory_id, entity, entity_id, field, old_value, new_value, source)
    VALUES (${row.directory_id}, 'contact', ${contactId}, ${flag}, 'false'::jsonb, 'true'::jsonb, ${source})`);
  return true;
}

/** A hard bounce (SMTP 5.1.x or a DSN): later distributions exclude the address if the rules say so. */
export const markEmailBounced = (tx: Executor, contactId: number, reason: string) =>
  setFlag(tx, contactId, 'email_bounced', 'bounce', reason);

/** The contact asked to receive no more surveys on this channel. Returns false if already opted out. */
export const optOutContact = (tx: Executor, contactId: number, channel: 'email' | 'sms', source: string) =>
  setFlag(tx, contactId, channel === 'email' ? 'email_opt_out' : 'sms_opt_out', source);

/** STOP texted from a number: every contact reached at it (phone or mobile) opts out of SMS. */
export async function optOutPhoneNumber(tx: Executor, phone: string, source: string): Promise<number> {
  const contacts = await queryRows<{ id: number }>(
    tx,
    sql`SELECT id FROM contacts WHERE (phone = ${phone} OR mobile_phone = ${phone}) AND NOT sms_opt_out`,
  );
  for (const contact of contacts) await optOutContact(tx, Number(contact.id), 'sms', source);
  return contacts.length;
}
