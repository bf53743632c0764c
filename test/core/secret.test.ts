import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.js';

const VALUE = 'hunter2-Kx7pQ2mVn9RtY4wZ';

describe('Secret', () => {
  const secret = new Secret(VALUE);

  it('reveal() gives the value back', () => {
    expect(secret.reveal()).toBe(VALUE);
    const buffer = Buffer.from(VALUE);
    expect(new Secret(buffer).reveal()).toBe(buffer);
  });

  it.each<[string, () => string]>([
    ['String()', () => String(secret)],
    ['toString()', () => secret.toString()],
    ['a template literal', () => `key=${secret}`],
    ['string concatenation', () => 'key=' + secret],
    ['JSON.stringify', () => JSON.stringify(secret)],
    ['JSON.stringify nested', () => JSON.stringify({ config: { aesKey: secret, list: [secret] } })],
    ['util.inspect', () => inspect(secret)],
    ['util.inspect showHidden', () => inspect(secret, { showHidden: true, depth: 10 })],
    ['util.inspect nested', () => inspect({ a: { b: { c: secret } } }, { depth: 10 })],
    ['util.format %s', () => format('%s', secret)],
    ['util.format %o', () => format('%o', secret)],
    ['util.format %O', () => format('%O', { secret })],
    ['util.format %j', () => format('%j', { secret })],
    ['an Error message', () => new Error(`bad ${secret}`).message],
    ['Object.entries', () => JSON.stringify(Object.entries(secret))],
  ])('%s never shows the value', (_how, print) => {
    const text = print();
    expect(text).not.toContain(VALUE);
    expect(text).not.toContain('hunter2');
  });

  it('prints [redacted]', () => {
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify({ s: secret })).toBe('{"s":"[redacted]"}');
    expect(inspect(secret)).toBe('[redacted]');
  });

  it('hides a Buffer value too', () => {
    const bytes = new Secret(Buffer.from(VALUE, 'ascii'));
    const hex = Buffer.from(VALUE, 'ascii').toString('hex');
    for (const text of [
      String(bytes),
      JSON.stringify({ bytes }),
      inspect({ bytes }, { showHidden: true }),
    ]) {
      expect(text).not.toContain(VALUE);
      expect(text).not.toContain(hex.slice(0, 16));
      expect(text).not.toMatch(/<Buffer/);
    }
  });

  it('has no enumerable own properties', () => {
    expect(Object.keys(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
    expect(Object.getOwnPropertyNames(secret)).toEqual([]);
  });
});
