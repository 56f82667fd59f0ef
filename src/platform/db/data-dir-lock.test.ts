import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, liveLockHolder, lockPathFor } from './data-dir-lock.ts';

const freshDir = () => mkdtempSync(path.join(tmpdir(), 'rapport-lock-'));

describe('data-folder lock', () => {
  it('lets one holder in and tells a second who holds it', async () => {
    const dir = freshDir();
    const lock = await acquireDataDirLock(dir, 'rapport start');
    lock.setControlSocket('/tmp/x.sock');
    await expect(acquireDataDirLock(dir, 'rapport import')).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(acquireDataDirLock(dir, 'rapport import')).rejects.toThrow(
      /in use by another Rapport process \(pid/,
    );
    expect(liveLockHolder(dir)).toMatchObject({
      pid: process.pid,
      command: 'rapport start',
      controlSocket: '/tmp/x.sock',
    });
    lock.release();
    expect(existsSync(lockPathFor(dir))).toBe(false);
    const again = await acquireDataDirLock(dir, 'rapport import');
    again.release();
  });

  it('takes over a lock left by a process that died (kill -9)', async () => {
    const dir = freshDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout.toString());
    writeFileSync(
      lockPathFor(dir),
      JSON.stringify({
        pid: deadPid,
        hostname: hostname(),
        startedAt: new Date().toISOString(),
        processStart: null,
        command: 'rapport start',
        controlSocket: null,
      }),
    );
    expect(liveLockHolder(dir)).toBeNull();
    const lock = await acquireDataDirLock(dir, 'rapport start');
    expect(JSON.parse(readFileSync(lockPathFor(dir), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('treats a recycled PID (same number, other process) as dead', async () => {
    const dir = freshDir();
    writeFileSync(
      lockPathFor(dir),
      JSON.stringify({
        pid: process.pid,
        hostname: hostname(),
        startedAt: new Date().toISOString(),
        processStart: '1', // not when this process started
        command: 'rapport start',
        controlSocket: null,
      }),
    );
    const lock = await acquireDataDirLock(dir, 'rapport start');
    lock.release();
  });

  it('takes over a half-written lock file', async () => {
    const dir = freshDir();
    writeFileSync(lockPathFor(dir), '{"pid": 12');
    const lock = await acquireDataDirLock(dir, 'rapport start');
    lock.release();
  });
});
