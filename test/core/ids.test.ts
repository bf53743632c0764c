import { describe, expect, it } from 'vitest';
import { REQUEST_ID, newRequestId } from '../../src/core/ids.js';

describe('request ids', () => {
  it('are UUIDv7: version 7, RFC variant, the creation millisecond in the first 48 bits', () => {
    const at = Date.UTC(2026, 10, 27, 8, 30, 0, 123);
    const id = newRequestId(at);
    expect(id).toMatch(REQUEST_ID);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('sort by creation time and do not repeat', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => newRequestId(1_700_000_000_000 + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids.map((id) => id.slice(15))).size).toBe(ids.length);
    const sameMs = new Set(Array.from({ length: 2000 }, () => newRequestId(1_700_000_000_000)));
    expect(sameMs.size).toBe(2000);
  });
});
