import { createHash } from 'node:crypto';
import SftpClient from 'ssh2-sftp-client';

export interface SftpConnection {
  host: string;
  port: number;
  username: string;
  password?: string | undefined;
  privateKey?: string | undefined;
  passphrase?: string | undefined;
  /** OpenSSH-style `SHA256:…` fingerprint the server's host key must have; null accepts any (first use). */
  hostKeyFingerprint: string | null;
}

/** What a successful connection saw: the host key, to pin on first use. */
export interface SftpSession {
  hostKeyFingerprint: string;
  /** Size in bytes of a remote file; throws a clear error if it is missing. */
  size(path: string): Promise<number>;
  download(path: string, localPath: string): Promise<void>;
  /** Moves a remote file (archiving after an import), creating the folder if needed. */
  move(from: string, toDirectory: string): Promise<string>;
  close(): Promise<void>;
}

export class SftpError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SftpError';
  }
}

export const fingerprintOf = (key: Buffer) =>
  `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

/** Opens an SFTP session with ssh2-sftp-client, checking the host key against the pinned one. */
export async function connectSftp(connection: SftpConnection): Promise<SftpSession> {
  const client = new SftpClient('rapport');
  let seen: string | null = null;
  try {
    await client.connect({
      host: connection.host,
      port: connection.port,
      username: connection.username,
      ...(connection.password ? { password: connection.password } : {}),
      ...(connection.privateKey ? { privateKey: connection.privateKey } : {}),
      ...(connection.passphrase ? { passphrase: connection.passphrase } : {}),
      readyTimeout: 15_000,
      retries: 1,
      hostVerifier: (key: Buffer) => {
        seen = fingerprintOf(key);
        return connection.hostKeyFingerprint === null || connection.hostKeyFingerprint === seen;
      },
    });
  } catch (error) {
    await client.end().catch(() => {});
    if (seen && connection.hostKeyFingerprint && seen !== connection.hostKeyFingerprint) {
      throw new SftpError(
        `The SFTP server's host key changed (${seen}, expected ${connection.hostKeyFingerprint}). ` +
          'If the server was reinstalled, confirm the new key in the source settings; otherwise do not connect.',
      );
    }
    const message = (error as Error).message.replace(/^connect: /, '');
    throw new SftpError(
      `Cannot connect to ${connection.host}:${connection.port} as ${connection.username}: ${message}`,
      { cause: error },
    );
  }
  const hostKeyFingerprint = seen as string | null;
  if (!hostKeyFingerprint) throw new SftpError('The SFTP server did not present a host key');
  return {
    hostKeyFingerprint,
    async size(path) {
      const info = await client.exists(path);
      if (!info) throw new SftpError(`${path} does not exist on ${connection.host}`);
      if (info !== '-') throw new SftpError(`${path} on ${connection.host} is not a file`);
      const stats = await client.stat(path);
      return stats.size;
    },
    async download(path, localPath) {
      try {
        await client.fastGet(path, localPath);
      } catch (error) {
        throw new SftpError(`Cannot download ${path} from ${connection.host}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    async move(from, toDirectory) {
      const name = from.split('/').pop()!;
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const target = `${toDirectory.replace(/\/+$/, '')}/${stamp}-${name}`;
      if (!(await client.exists(toDirectory))) await client.mkdir(toDirectory, true);
      await client.rename(from, target);
      return target;
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}
