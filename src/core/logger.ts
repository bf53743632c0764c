import pino, { type Logger } from 'pino';

/** Paths that must never reach a log line, whatever object is logged. */
const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'client_secret',
  '*.client_secret',
  'access_token',
  '*.access_token',
  'token',
  '*.token',
];

/** A logger that redacts the paths above and each wallet's own secret fields (`secretFields`). */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  secretFields: readonly string[] = [],
): Logger {
  const paths = [...REDACT, ...secretFields.flatMap((f) => [f, `*.${f}`])];
  return pino(
    {
      level,
      base: { service: 'omnigate' },
      redact: { paths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
