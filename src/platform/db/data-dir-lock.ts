import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * PGlite has no cross-process lock: two processes on one data folder silently lose committed rows.
 * So the first process takes `<dataDir>/rapport.lock`; a second one learns who holds it (and where
 * its control socket is, so a CLI command can be handed to the running server instead).
 */
export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
  /** Linux process start time (clock ticks since boot), to tell a recycled PID from the holder. */
  processStart: string | null;
  command: string;
  controlSocket: string | null;
}

export class DataDirLockedError extends Error {
  readonly holder: LockHolder;
  readonly lockPath: string;
  constructor(lockPath: string, holder: LockHolder) {
    super(
      `The data folder ${path.dirname(lockPath)} is in use by another Rapport process ` +
        `(pid ${holder.pid}, "${holder.command}", since ${holder.startedAt}). ` +
        'The embedded database allows one process at a time: stop it first, or use its web UI/API.',
    );
    this.name = 'DataDirLockedError';
    this.holder = holder;
    this.lockPath = lockPath;
  }
}

export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  setControlSocket(socketPath: string | null): void;
  release(): void;
}

const LOCK_FILE = 'rapport.lock';

export function lockPathFor(dataDir: string): string {
  return path.join(dataDir, LOCK_FILE);
}

function processStartOf(pid: number): string | null {
  try {
    // Field 22 of /proc/<pid>/stat; the command name (field 2) may contain spaces, so split after it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return true; // cannot check another machine: assume alive
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (holder.processStart !== null) {
    const current = processStartOf(holder.pid);
    if (current !== null && current !== holder.processStart) return false; // PID was recycled
  }
  return true;
}

/** Reads the lock file; null when there is none or it is unreadable (a crash mid-write). */
export function readLockHolder(dataDir: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(lockPathFor(dataDir), 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/** The live holder of the data folder, if any. */
export function liveLockHolder(dataDir: string): LockHolder | null {
  const holder = readLockHolder(dataDir);
  return holder && isAlive(holder) ? holder : null;
}

export async function acquireDataDirLock(dataDir: string, command: string): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = lockPathFor(dataDir);
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    processStart: processStartOf(process.pid),
    command,
    controlSocket: null,
  };
  const write = () => {
    const fd = openSync(lockPath, 'w');
    try {
      writeSync(fd, JSON.stringify(holder));
    } finally {
      closeSync(fd);
    }
  };

  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(holder));
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const existing = readLockHolder(dataDir);
      if (existing && isAlive(existing)) throw new DataDirLockedError(lockPath, existing);
      // Left by a crashed process (or half-written by one): take it over.
      rmSync(lockPath, { force: true });
      continue;
    }
    // Two processes clearing the same stale lock at once could both "win"; the loser sees the
    // other's PID when it reads the file back, and steps aside.
    await sleep(25);
    const confirmed = readLockHolder(dataDir);
    if (confirmed?.pid !== process.pid) {
      if (confirmed) throw new DataDirLockedError(lockPath, confirmed);
      continue;
    }
    let released = false;
    return {
      path: lockPath,
      holder,
      setControlSocket(socketPath) {
        holder.controlSocket = socketPath;
        write();
      },
      release() {
        if (released) return;
        released = true;
        if (readLockHolder(dataDir)?.pid === process.pid) rmSync(lockPath, { force: true });
      },
    };
  }
  throw new Error(`Could not take the data-folder lock ${lockPath}`);
}
