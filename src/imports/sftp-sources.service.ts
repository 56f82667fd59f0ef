import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import {
  connectSftp,
  type SftpConnection,
  SftpError,
  type SftpSession,
} from '../integrations/sftp/sftp-client.ts';
import type { Database, Executor } from '../platform/db/database.ts';
import { badRequest, notFound } from '../platform/errors.ts';
import type { SecretBox } from '../platform/secrets/secret-box.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { sftpSources } from './imports.schema.ts';
import type { OpenedFile } from './sources.ts';

const ZRemotePath = z
  .string()
  .trim()
  .min(1)
  .max(1000)
  .regex(/^\//, { error: 'Use an absolute path such as /exports/Contact.csv' });

export const ZSftpSourceInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    host: z.string().trim().min(1).max(255),
    port: z.number().int().min(1).max(65535).default(22),
    username: z.string().trim().min(1).max(200),
    password: z.string().min(1).max(10_000).optional(),
    privateKey: z.string().min(1).max(20_000).optional(),
    passphrase: z.string().max(1000).optional(),
    paths: z
      .object({
        accounts: ZRemotePath.optional(),
        contacts: ZRemotePath.optional(),
        teamMembers: ZRemotePath.optional(),
      })
      .refine((p) => p.accounts || p.contacts || p.teamMembers, {
        error: 'Give the path of at least one file',
      }),
    archiveDir: ZRemotePath.nullable().default(null),
    /** Accept the host key seen at this connection (after the user checked its fingerprint). */
    hostKeyFingerprint: z.string().max(200).nullable().optional(),
  })
  .refine((s) => Boolean(s.password) !== Boolean(s.privateKey), {
    error: 'Give either a password or a private key',
  });

type SourceRow = typeof sftpSources.$inferSelect;

export function toPublicSource(row: SourceRow) {
  return {
    id: row.id,
    directoryId: row.directoryId,
    name: row.name,
    host: row.host,
    port: row.port,
    username: row.username,
    authMethod: row.authMethod as 'password' | 'private_key',
    hostKeyFingerprint: row.hostKeyFingerprint,
    paths: row.paths as { accounts?: string; contacts?: string; teamMembers?: string },
    archiveDir: row.archiveDir,
    lastTestedAt: row.lastTestedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

const secretContext = (id: number) => `sftp_sources:${id}:secret`;
const passphraseContext = (id: number) => `sftp_sources:${id}:passphrase`;

function connectionOf(row: SourceRow, secrets: SecretBox): SftpConnection {
  const secret = secrets.decrypt(row.secretSealed, secretContext(row.id));
  return {
    host: row.host,
    port: row.port,
    username: row.username,
    ...(row.authMethod === 'password' ? { password: secret } : { privateKey: secret }),
    ...(row.passphraseSealed
      ? { passphrase: secrets.decrypt(row.passphraseSealed, passphraseContext(row.id)) }
      : {}),
    hostKeyFingerprint: row.hostKeyFingerprint,
  };
}

/**
 * Saves an SFTP source after connecting to it once: the credentials must work and the files must
 * be there. The host key seen is pinned (trust on first use), and reported for the user to check.
 */
export async function createSftpSource(
  deps: { db: Database; secrets: SecretBox },
  actor: Actor,
  directoryRef: string | number,
  input: z.input<typeof ZSftpSourceInput>,
) {
  authorize(actor, 'data:write');
  const data = ZSftpSourceInput.parse(input);
  const directory = await findDirectory(deps.db.orm, directoryRef);
  const probe = await checkConnection(
    {
      host: data.host,
      port: data.port,
      username: data.username,
      password: data.password,
      privateKey: data.privateKey,
      passphrase: data.passphrase,
      hostKeyFingerprint: data.hostKeyFingerprint ?? null,
    },
    Object.values(data.paths).filter((p): p is string => Boolean(p)),
  );
  return deps.db.orm.transaction(async (tx) => {
    const [row] = await tx
      .insert(sftpSources)
      .values({
        directoryId: directory.id,
        name: data.name,
        host: data.host,
        port: data.port,
        username: data.username,
        authMethod: data.password ? 'password' : 'private_key',
        secretSealed: 'pending',
        hostKeyFingerprint: probe.hostKeyFingerprint,
        paths: data.paths,
        archiveDir: data.archiveDir,
        lastTestedAt: new Date(),
      })
      .returning();
    const id = row!.id;
    const [sealed] = await tx
      .update(sftpSources)
      .set({
        secretSealed: deps.secrets.encrypt((data.password ?? data.privateKey)!, secretContext(id)),
        passphraseSealed: data.passphrase
          ? deps.secrets.encrypt(data.passphrase, passphraseContext(id))
          : null,
      })
      .where(eq(sftpSources.id, id))
      .returning();
    await recordAudit(tx, actor, {
      action: 'sftp_source.created',
      targetType: 'sftp_source',
      targetId: id,
      details: { name: data.name, host: data.host, hostKeyFingerprint: probe.hostKeyFingerprint },
    });
    return { source: toPublicSource(sealed!), files: probe.files };
  });
}

async function checkConnection(connection: SftpConnection, paths: string[]) {
  let session: SftpSession | undefined;
  try {
    session = await connectSftp(connection);
    const files: { path: string; bytes: number }[] = [];
    for (const p of paths) files.push({ path: p, bytes: await session.size(p) });
    return { hostKeyFingerprint: session.hostKeyFingerprint, files };
  } catch (error) {
    if (error instanceof SftpError) throw badRequest(error.message);
    throw error;
  } finally {
    await session?.close();
  }
}

export async function listSftpSources(db: Executor, actor: Actor, directoryId: number) {
  authorize(actor, 'data:read');
  const rows = await db
    .select()
    .from(sftpSources)
    .where(eq(sftpSources.directoryId, directoryId))
    .orderBy(asc(sftpSources.name));
  return rows.map(toPublicSource);
}

async function getSource(db: Executor, id: number): Promise<SourceRow> {
  const [row] = await db.select().from(sftpSources).where(eq(sftpSources.id, id));
  if (!row) throw notFound(`No SFTP source ${id}`);
  return row;
}

/** Connects with the saved settings and checks that the files are there. */
export async function testSftpSource(deps: { db: Database; secrets: SecretBox }, actor: Actor, id: number) {
  authorize(actor, 'data:read');
  const row = await getSource(deps.db.orm, id);
  const paths = Object.values(row.paths as Record<string, string>);
  const result = await checkConnection(connectionOf(row, deps.secrets), paths);
  await deps.db.orm.update(sftpSources).set({ lastTestedAt: new Date() }).where(eq(sftpSources.id, id));
  return result;
}

export async function deleteSftpSource(db: Database, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'data:write');
  await db.orm.transaction(async (tx) => {
    await getSource(tx, id);
    await tx.delete(sftpSources).where(eq(sftpSources.id, id));
    await recordAudit(tx, actor, { action: 'sftp_source.deleted', targetType: 'sftp_source', targetId: id });
  });
}

/**
 * Opens a remote file for an import: downloaded first to a temporary file (so the import never
 * holds the connection while it works), removed when the import closes it.
 */
export function sftpOpener(deps: { db: Database; secrets: SecretBox }) {
  return async (sourceId: number, remotePath: string): Promise<OpenedFile> => {
    const row = await getSource(deps.db.orm, sourceId);
    const dir = await mkdtemp(path.join(tmpdir(), 'rapport-sftp-'));
    const local = path.join(dir, path.basename(remotePath) || 'file.csv');
    const session = await connectSftp(connectionOf(row, deps.secrets));
    try {
      await session.download(remotePath, local);
    } finally {
      await session.close();
    }
    const { size } = await stat(local);
    return {
      label: `sftp://${row.host}${remotePath}`,
      size,
      stream: () => createReadStream(local, { highWaterMark: 256 * 1024 }),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  };
}

/** After a successful import: moves the imported files into the source's archive folder. */
export async function archiveSftpFiles(
  deps: { db: Database; secrets: SecretBox },
  sourceId: number,
  remotePaths: string[],
) {
  const row = await getSource(deps.db.orm, sourceId);
  if (!row.archiveDir) return [];
  const session = await connectSftp(connectionOf(row, deps.secrets));
  try {
    const moved: string[] = [];
    for (const p of remotePaths) moved.push(await session.move(p, row.archiveDir));
    return moved;
  } finally {
    await session.close();
  }
}

export { getSource as getSftpSourceRow };
