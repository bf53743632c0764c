import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Opaque identifiers and credentials; prefixes make leaked values recognisable. */
export const newCompanyId = (): string => `cmp_${randomBytes(9).toString('base64url')}`;
export const newClientId = (): string => `ogc_${randomBytes(12).toString('base64url')}`;
/** 256 bits of randomness. */
export const newClientSecret = (): string => `ogs_${randomBytes(32).toString('base64url')}`;
/** 256 bits of randomness. */
export const newAccessToken = (): string => `ogt_${randomBytes(32).toString('base64url')}`;
export const newRequestId = (): string => randomUUID();

export const sha256 = (text: string): string =>
  createHash('sha256').update(text, 'utf8').digest('base64url');
