import { timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmdirSync,
  rmSync,
  type Stats,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ssh2, { type Connection } from 'ssh2';

const { Server, utils } = ssh2;
const { OPEN_MODE, STATUS_CODE } = utils.sftp;

export interface TestSftpServer {
  host: string;
  port: number;
  /** The folder the server exposes as its root `/`. */
  root: string;
  username: string;
  password: string;
  /** A private key (OpenSSH format) the server also accepts for `username`. */
  privateKey: string;
  hostKeyFingerprint: string;
  close(): Promise<void>;
}

/**
 * An ed25519 key pair both halves of which ssh2 reads back. About 1 in 150 of the pairs ssh2
 * generates writes the public key with its leading zero byte dropped (a 31-byte key), which its own
 * parser then refuses ("Malformed OpenSSH public key"): the suites failed at random on it.
 */
function ed25519KeyPair(): { public: string; private: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.public) instanceof Error) && !(utils.parseKey(pair.private) instanceof Error))
      return pair;
  }
  throw new Error('ssh2 generated no readable ed25519 key pair in 20 attempts');
}

/**
 * A real SSH/SFTP server on 127.0.0.1 (the ssh2 library's server side, speaking SFTP v3 over
 * TCP), serving a temporary folder. Password and public-key logins, as production servers allow.
 */
export async function startSftpServer(
  options: { username?: string; password?: string } = {},
): Promise<TestSftpServer> {
  const root = mkdtempSync(path.join(tmpdir(), 'rapport-sftp-root-'));
  const username = options.username ?? 'exporter';
  const password = options.password ?? 'sftp-secret-password';
  const hostKey = ed25519KeyPair();
  const userKey = ed25519KeyPair();
  const allowedKey = utils.parseKey(userKey.public);
  if (allowedKey instanceof Error) throw allowedKey;
  const parsedHost = utils.parseKey(hostKey.public);
  if (parsedHost instanceof Error) throw parsedHost;
  const { fingerprintOf } = await import('../../src/integrations/sftp/sftp-client.ts');
  const hostKeyFingerprint = fingerprintOf(parsedHost.getPublicSSH());

  const equal = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);
  const resolve = (p: string) => {
    const full = path.resolve(root, `.${path.posix.resolve('/', p)}`);
    if (!full.startsWith(root)) throw new Error('outside root');
    return full;
  };

  const server = new Server({ hostKeys: [hostKey.private] }, (client: Connection) => {
    client.on('authentication', (ctx) => {
      if (ctx.username !== username) return ctx.reject();
      if (ctx.method === 'password' && equal(Buffer.from(ctx.password), Buffer.from(password)))
        return ctx.accept();
      if (
        ctx.method === 'publickey' &&
        ctx.key.algo === allowedKey.type &&
        equal(ctx.key.data, allowedKey.getPublicSSH())
      ) {
        if (!ctx.signature) return ctx.accept(); // the client asks whether the key is acceptable
        if (allowedKey.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
      }
      ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        accept().on('sftp', (acceptSftp) => serveSftp(acceptSftp(), resolve));
      });
    });
    client.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('SFTP server has no address');
  return {
    host: '127.0.0.1',
    port: address.port,
    root,
    username,
    password,
    privateKey: userKey.private,
    hostKeyFingerprint,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

type Sftp = import('ssh2').SFTPWrapper;

function attrs(stats: Stats) {
  return {
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    atime: stats.atimeMs / 1000,
    mtime: stats.mtimeMs / 1000,
  };
}

function serveSftp(sftp: Sftp, resolve: (p: string) => string) {
  const handles = new Map<number, { fd?: number; dir?: string[] }>();
  let next = 0;
  const handle = (h: Buffer) => handles.get(h.readUInt32BE(0));
  const newHandle = (value: { fd?: number; dir?: string[] }) => {
    const id = next++;
    handles.set(id, value);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id);
    return buf;
  };
  const fail = (reqid: number, error: unknown) =>
    sftp.status(
      reqid,
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : STATUS_CODE.FAILURE,
    );

  sftp.on('REALPATH', (reqid, p) => {
    const normal = path.posix.resolve('/', p);
    sftp.name(reqid, [{ filename: normal, longname: normal, attrs: {} as never }]);
  });
  for (const op of ['STAT', 'LSTAT'] as const) {
    sftp.on(op, (reqid: number, p: string) => {
      try {
        sftp.attrs(reqid, attrs(lstatSync(resolve(p))));
      } catch (error) {
        fail(reqid, error);
      }
    });
  }
  sftp.on('FSTAT', (reqid, h) => {
    const entry = handle(h);
    if (entry?.fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
    sftp.attrs(reqid, attrs(fstatSync(entry.fd)));
  });
  sftp.on('OPEN', (reqid, p, flags) => {
    try {
      const mode = flags & OPEN_MODE.WRITE ? (flags & OPEN_MODE.APPEND ? 'a' : 'w') : 'r';
      sftp.handle(reqid, newHandle({ fd: openSync(resolve(p), mode) }));
    } catch (error) {
      fail(reqid, error);
    }
  });
  sftp.on('READ', (reqid, h, offset, length) => {
    const entry = handle(h);
    if (entry?.fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
    const buffer = Buffer.alloc(length);
    const read = readSync(entry.fd, buffer, 0, length, offset);
    if (read === 0) return sftp.status(reqid, STATUS_CODE.EOF);
    sftp.data(reqid, buffer.subarray(0, read));
  });
  sftp.on('WRITE', (reqid, h, offset, data) => {
    const entry = handle(h);
    if (entry?.fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
    writeSync(entry.fd, data, 0, data.length, offset);
    sftp.status(reqid, STATUS_CODE.OK);
  });
  sftp.on('CLOSE', (reqid, h) => {
    const entry = handle(h);
    if (entry?.fd !== undefined) closeSync(entry.fd);
    handles.delete(h.readUInt32BE(0));
    sftp.status(reqid, STATUS_CODE.OK);
  });
  sftp.on('OPENDIR', (reqid, p) => {
    try {
      const dir = resolve(p);
      sftp.handle(reqid, newHandle({ dir: readdirSync(dir).map((n) => path.join(dir, n)) }));
    } catch (error) {
      fail(reqid, error);
    }
  });
  sftp.on('READDIR', (reqid, h) => {
    const entry = handle(h);
    if (!entry?.dir) return sftp.status(reqid, STATUS_CODE.FAILURE);
    if (entry.dir.length === 0) return sftp.status(reqid, STATUS_CODE.EOF);
    const names = entry.dir.splice(0).map((full) => {
      const name = path.basename(full);
      return { filename: name, longname: name, attrs: attrs(lstatSync(full)) };
    });
    sftp.name(reqid, names);
  });
  const simple = (op: string, fn: (...args: string[]) => void) =>
    sftp.on(op as 'RENAME', (reqid: number, ...args: string[]) => {
      try {
        fn(...args);
        sftp.status(reqid, STATUS_CODE.OK);
      } catch (error) {
        fail(reqid, error);
      }
    });
  simple('RENAME', (from, to) => renameSync(resolve(from!), resolve(to!)));
  simple('MKDIR', (p) => mkdirSync(resolve(p!)));
  simple('REMOVE', (p) => rmSync(resolve(p!)));
  simple('RMDIR', (p) => rmdirSync(resolve(p!)));
  simple('SETSTAT', () => {});
}
