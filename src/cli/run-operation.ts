import { type Config, loadConfig } from '../config/env.ts';
import { callControl } from '../platform/control/control-client.ts';
import { liveLockHolder } from '../platform/db/data-dir-lock.ts';
import { createLogger } from '../platform/logger.ts';
import type { OperationName } from '../runtime/operations.ts';

/** CLI commands log only warnings unless RAPPORT_LOG_LEVEL asks for more: their output is the result. */
export function cliLogger(config: Config) {
  const level = process.env.RAPPORT_LOG_LEVEL ? config.log.level : 'warn';
  return createLogger({ log: { ...config.log, level } });
}

/**
 * Runs an operation where it can run: handed to the server holding the embedded database if one
 * is running, else in this process.
 */
export async function runCliOperation(name: OperationName, input: unknown): Promise<unknown> {
  const config = loadConfig();
  if (!config.database.url) {
    const holder = liveLockHolder(config.database.dataDir);
    if (holder) {
      if (!holder.controlSocket) {
        throw new Error(
          `The data folder ${config.database.dataDir} is held by "${holder.command}" (pid ${holder.pid}), ` +
            'which is still starting or does not take commands. Try again in a moment, or stop it first.',
        );
      }
      return callControl(holder.controlSocket, name, input);
    }
  }
  // Only an operation run here needs the product's code: one handed to the server does not load it.
  const [{ openRuntime }, { runOperation }] = await Promise.all([
    import('../runtime/runtime.ts'),
    import('../runtime/operations.ts'),
  ]);
  const runtime = await openRuntime(config, {
    command: `rapport ${name}`,
    logger: cliLogger(config),
    superviseJobs: false,
  });
  try {
    return await runOperation(runtime, name, input);
  } finally {
    await runtime.close();
  }
}
