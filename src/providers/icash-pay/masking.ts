/**
 * Fields of icash's answers that identify a person or a card: masked before
 * they leave the gateway. Everything else passes through as icash sent it.
 */
const PERSONAL_FIELDS = ['ICPAccount', 'MaskedPan', 'VToken'] as const;

/** Keeps at most the first 4 and last 4 characters (fewer for short values). */
export function maskIdentifier(value: string): string {
  if (value === '') return value;
  const keep = value.length >= 12 ? 4 : value.length >= 8 ? 2 : 0;
  const middle = value.length - keep * 2;
  return value.slice(0, keep) + '*'.repeat(middle) + (keep > 0 ? value.slice(-keep) : '');
}

export function maskPersonalFields(data: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const field of PERSONAL_FIELDS) {
    const value = data[field];
    if (typeof value === 'string' && value !== '') {
      out ??= { ...data };
      out[field] = maskIdentifier(value);
    }
  }
  return out ?? data;
}
