/**
 * icash amounts are strings holding NT$ × 100 ("1000" is NT$10). The gateway's
 * API speaks whole NT$ integers. This file is the only place that converts.
 */
export class AmountError extends Error {
  override readonly name = 'AmountError';
}

export function toIcashAmount(ntd: number): string {
  if (!Number.isSafeInteger(ntd) || ntd < 0 || !Number.isSafeInteger(ntd * 100)) {
    throw new AmountError(`amount ${String(ntd)} is not a whole, non-negative NT$ value`);
  }
  return String(ntd * 100);
}

/** "1000" → 10. Rejects anything but a non-negative integer string. */
export function fromIcashAmount(wire: string): number {
  if (!/^\d{1,17}$/.test(wire)) throw new AmountError(`icash amount "${wire}" is not an integer`);
  const cents = Number(wire);
  if (!Number.isSafeInteger(cents)) throw new AmountError(`icash amount "${wire}" is too large`);
  return cents / 100;
}

/** Converts the named fields of an icash answer back to NT$, leaving the rest as sent. */
export function amountsFromIcash(
  data: Record<string, unknown>,
  fields: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const field of fields) {
    const value = out[field];
    if (typeof value === 'string' && value !== '') out[field] = fromIcashAmount(value);
  }
  return out;
}
