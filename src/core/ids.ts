import { hash, randomBytes } from 'node:crypto';

/** Opaque identifiers and credentials; prefixes make leaked values recognisable. */
export const newCompanyId = (): string => `cmp_${randomBytes(9).toString('base64url')}`;
export const newClientId = (): string => `ogc_${randomBytes(12).toString('base64url')}`;
/** 256 bits of randomness. */
export const newClientSecret = (): string => `ogs_${randomBytes(32).toString('base64url')}`;
/** 256 bits of randomness. */
export const newAccessToken = (): string => `ogt_${randomBytes(32).toString('base64url')}`;

/** Random bytes drawn 4 KiB at a time (one call into OpenSSL per 256 ids, as randomUUID does). */
let pool = Buffer.alloc(0);
let poolAt = 0;
function randomSixteen(): Buffer {
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += 16;
  return pool.subarray(poolAt - 16, poolAt);
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Ids
 * made later sort later, so the ledger's primary-key index grows at its end
 * instead of taking each insert at a random leaf (docs/performance.md).
 */
export function newRequestId(now = Date.now()): string {
  const bytes = randomSixteen();
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const IDENTIFIER = /^[A-Za-z0-9_-]+$/;

/** Store ids, PlatformIDs, order numbers: letters, digits, `-` and `_`, 1 to `maxLength` characters. */
export const isIdentifier = (value: unknown, maxLength = 50): value is string =>
  typeof value === 'string' && value.length <= maxLength && IDENTIFIER.test(value);
/** Request ids are UUIDs. */
export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Client ids as issued (`ogc_…`); anything else cannot exist. */
export const CLIENT_ID = /^[A-Za-z0-9_-]{1,200}$/;

export const sha256 = (text: string): string => hash('sha256', text, 'base64url');
