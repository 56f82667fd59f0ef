import type { Server } from 'node:http';
import type { Config } from '../config/env.ts';
import { loadDemoDirectory } from '../demo/demo-directory.ts';
import {
  controlSocketPath,
  startControlServer,
  stopControlServer,
} from '../platform/control/control-server.ts';
import { buildHttpApp } from '../platform/http/app.ts';
import type { ApiApp } from '../platform/http/types.ts';
import type { AnyJobDefinition } from '../platform/jobs/define-job.ts';
import type { Logger } from '../platform/logger.ts';
import { createAuthenticator } from '../users/authenticate.ts';
import { ensureInitialAdmin } from '../users/users.service.ts';
import { routeCatalog } from './catalog.ts';
import { runOperation } from './operations.ts';
import { openRuntime, type Runtime } from './runtime.ts';

export interface RunningServer {
  runtime: Runtime;
  app: ApiApp;
  url: string;
  initialAdmin: { email: string; generatedPassword: string | null } | null;
  /** The demo directory being imported on this first start, if any. */
  demo: { directory: string; runId: number } | null;
  /** Stops taking requests, lets running jobs finish (or hands them back), closes the database. */
  stop(): Promise<void>;
}

export interface StartServerOptions {
  logger: Logger;
  command?: string;
  /** Run job workers in this process (default: RAPPORT_WORKERS). */
  workers?: boolean;
  jobs?: AnyJobDefinition[];
  webDistDir?: string;
}

/** `rapport start`: API, web UI and (unless disabled) job workers in one process. */
export async function startServer(config: Config, options: StartServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const workers = options.workers ?? config.workers.enabled;
  const runtime = await openRuntime(config, {
    command: options.command ?? 'rapport start',
    logger,
    superviseJobs: workers,
    ...(options.jobs ? { jobs: options.jobs } : {}),
  });
  let app: ApiApp | undefined;
  let control: { server: Server; path: string } | undefined;
  try {
    const initialAdmin = await ensureInitialAdmin(runtime.db, config.admin);
    // A brand-new database (its first user just created) gets the demo directory, unless disabled.
    const demo =
      initialAdmin && config.demo.enabled
        ? await loadDemoDirectory(runtime, config).catch((error: unknown) => {
            logger.warn({ err: error }, 'could not load the demo directory');
            return null;
          })
        : null;
    app = await buildHttpApp({
      deps: runtime,
      authenticate: createAuthenticator(runtime.db.orm, config.auth.sessionIdleHours),
      routes: routeCatalog,
      ...(options.webDistDir ? { webDistDir: options.webDistDir } : {}),
    });
    await app.listen({ port: config.http.port, host: config.http.host });
    if (workers) await runtime.jobs.startWorkers(runtime);
    if (runtime.lock) {
      const socketPath = controlSocketPath(config.database.dataDir);
      const server = await startControlServer(
        socketPath,
        (op, input) => runOperation(runtime, op, input),
        logger,
      );
      control = { server, path: socketPath };
      runtime.lock.setControlSocket(socketPath);
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;
    const url = config.http.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const running = app;
    let stopping: Promise<void> | undefined;
    return {
      runtime,
      app: running,
      url,
      initialAdmin,
      demo,
      stop() {
        stopping ??= (async () => {
          if (control) await stopControlServer(control.server, control.path).catch(() => {});
          await running.close();
          await runtime.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (control) await stopControlServer(control.server, control.path).catch(() => {});
    await app?.close().catch(() => {});
    await runtime.close().catch(() => {});
    throw error;
  }
}

/** `rapport worker`: job workers alone, beside API processes, on a shared PostgreSQL. */
export async function startWorker(
  config: Config,
  options: { logger: Logger; jobs?: AnyJobDefinition[] },
): Promise<{ runtime: Runtime; stop(): Promise<void> }> {
  if (!config.database.url) {
    throw new Error(
      '`rapport worker` needs DATABASE_URL (PostgreSQL). The embedded database serves one process, ' +
        'and `rapport start` already runs the workers there.',
    );
  }
  const runtime = await openRuntime(config, {
    command: 'rapport worker',
    logger: options.logger,
    superviseJobs: true,
    ...(options.jobs ? { jobs: options.jobs } : {}),
  });
  await runtime.jobs.startWorkers(runtime);
  return { runtime, stop: () => runtime.close() };
}
