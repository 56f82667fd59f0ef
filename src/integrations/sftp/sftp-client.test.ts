import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSftpServer, type TestSftpServer } from '../../../test/harness/sftp-server.ts';
import { connectSftp } from './sftp-client.ts';

let server: TestSftpServer;
beforeAll(async () => {
  server = await startSftpServer();
});
afterAll(() => server.close());

const base = () => ({ host: server.host, port: server.port, username: server.username });

describe('SFTP client', () => {
  it('downloads with a password and reports the host key', async () => {
    writeFileSync(path.join(server.root, 'Contact.csv'), 'Id,Email\r\n003A,a@example.com\r\n');
    const session = await connectSftp({ ...base(), password: server.password, hostKeyFingerprint: null });
    try {
      expect(session.hostKeyFingerprint).toBe(server.hostKeyFingerprint);
      expect(await session.size('/Contact.csv')).toBe(30);
      const local = path.join(mkdtempSync(path.join(tmpdir(), 'dl-')), 'c.csv');
      await session.download('/Contact.csv', local);
      expect(readFileSync(local, 'utf8')).toBe('Id,Email\r\n003A,a@example.com\r\n');
      await expect(session.size('/missing.csv')).rejects.toThrow('/missing.csv does not exist on 127.0.0.1');
      const moved = await session.move('/Contact.csv', '/archive/2026');
      expect(moved).toMatch(/^\/archive\/2026\/.+-Contact\.csv$/);
    } finally {
      await session.close();
    }
  });

  it('logs in with a private key', async () => {
    const session = await connectSftp({
      ...base(),
      privateKey: server.privateKey,
      hostKeyFingerprint: server.hostKeyFingerprint,
    });
    await session.close();
  });

  it('refuses a server whose host key is not the pinned one', async () => {
    await expect(
      connectSftp({
        ...base(),
        password: server.password,
        hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      }),
    ).rejects.toThrow(/host key changed \(SHA256:.+, expected SHA256:AAAA/);
  });

  it('says why a login failed', async () => {
    await expect(connectSftp({ ...base(), password: 'nope', hostKeyFingerprint: null })).rejects.toThrow(
      /Cannot connect to 127\.0\.0\.1:\d+ as exporter: .*authentication methods failed/,
    );
  });
});
