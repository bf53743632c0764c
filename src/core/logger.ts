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
  'AESKey',
  '*.AESKey',
  'AESIV',
  '*.AESIV',
  'ClientPrivateKey',
  '*.ClientPrivateKey',
  'EncData',
  '*.EncData',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'omnigate' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
