import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Opaque identifiers and credentials; prefixes make leaked values recognisable. */
export const newCompanyId = (): string => `cmp_${randomBytes(9).toString('base64url')}`;
export const newClientId = (): string => `ogc_${randomBytes(12).toString('base64url')}`;
/** 256 bits of randomness. */
export const newClientSecret = (): string => `ogs_${randomBytes(32).toString('base64url')}`;
/** 256 bits of randomness. */
export const newAccessToken = (): string => `ogt_${randomBytes(32).toString('base64url')}`;
export const newRequestId = (): string => randomUUID();

/** Store ids, PlatformIDs, order numbers: letters, digits, `-` and `_`, 1 to 50 characters. */
export const IDENTIFIER = /^[A-Za-z0-9_-]{1,50}$/;
/** Request ids are UUIDs. */
export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Client ids as issued (`ogc_…`); anything else cannot exist. */
export const CLIENT_ID = /^[A-Za-z0-9_-]{1,200}$/;

export const sha256 = (text: string): string =>
  createHash('sha256').update(text, 'utf8').digest('base64url');
