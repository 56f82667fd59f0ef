import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectSftp, type SftpSession } from '../integrations/sftp/sftp-client.ts';

/** `sftp://user@host[:port]/path`: a one-off server (a saved source is `sftp://<name>/path`). */
export function parseSftpUrl(
  text: string,
): { username: string; host: string; port: number; path: string } | null {
  const match = /^sftp:\/\/([^@/]+)@([^/:]+)(?::(\d+))?(\/.+)$/.exec(text);
  if (!match) return null;
  return {
    username: decodeURIComponent(match[1]!),
    host: match[2]!,
    port: Number(match[3] ?? 22),
    path: match[4]!,
  };
}

export interface SftpCliOptions {
  keyFile?: string | undefined;
  hostKey?: string | undefined;
  archiveDir?: string | undefined;
}

/**
 * Downloads one-off SFTP files before an import, so their credentials (RAPPORT_SFTP_PASSWORD or
 * --sftp-key) never leave this process nor reach the database. Returns local paths and a function
 * that archives the remote files once the import succeeded.
 */
export async function downloadSftpUrls(
  urls: Record<string, string>,
  options: SftpCliOptions,
  warn: (line: string) => void,
) {
  const dir = await mkdtemp(path.join(tmpdir(), 'rapport-cli-sftp-'));
  const local: Record<string, string> = {};
  const remote: { url: ReturnType<typeof parseSftpUrl> & object; file: string }[] = [];
  const sessions = new Map<string, SftpSession>();
  const sessionFor = async (url: NonNullable<ReturnType<typeof parseSftpUrl>>) => {
    const key = `${url.username}@${url.host}:${url.port}`;
    let session = sessions.get(key);
    if (!session) {
      session = await connectSftp({
        host: url.host,
        port: url.port,
        username: url.username,
        password: process.env.RAPPORT_SFTP_PASSWORD || undefined,
        privateKey: options.keyFile ? readFileSync(options.keyFile, 'utf8') : undefined,
        passphrase: process.env.RAPPORT_SFTP_PASSPHRASE || undefined,
        hostKeyFingerprint: options.hostKey ?? null,
      });
      if (!options.hostKey)
        warn(`${url.host}'s host key is ${session.hostKeyFingerprint} (pass --sftp-host-key to pin it)`);
      sessions.set(key, session);
    }
    return session;
  };
  try {
    for (const [object, text] of Object.entries(urls)) {
      const url = parseSftpUrl(text);
      if (!url) continue;
      const file = path.join(dir, `${object}.csv`);
      await (await sessionFor(url)).download(url.path, file);
      local[object] = file;
      remote.push({ url, file: url.path });
    }
  } catch (error) {
    for (const s of sessions.values()) await s.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    local,
    async archive() {
      if (!options.archiveDir) return [];
      const moved: string[] = [];
      for (const { url } of remote)
        moved.push(await (await sessionFor(url)).move(url.path, options.archiveDir));
      return moved;
    },
    async cleanup() {
      for (const s of sessions.values()) await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
