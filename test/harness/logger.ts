import pino from 'pino';

/** Tests log nothing unless TEST_LOG=debug (or another pino level) asks for it. */
export const silentLogger = pino({ level: process.env.TEST_LOG ?? 'silent' });
