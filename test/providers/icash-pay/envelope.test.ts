import { execFileSync } from 'node:child_process';
import { createCipheriv, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AesKeyError,
  AesMaterial,
  signBase64,
  verifyBase64,
} from '../../../src/providers/icash-pay/envelope.js';
import { loadPrivateKey, loadPublicKey } from '../../../src/providers/icash-pay/keys.js';

/**
 * Known answers made by the openssl CLI (scripts/make-envelope-fixtures.sh), so the
 * project's envelope is checked against an independent implementation, both ways.
 */

const FIXTURES = fileURLToPath(new URL('../../fixtures/envelope/', import.meta.url));
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

interface EnvelopeCase {
  name: string;
  payload: string;
  encData: string;
  signature: string;
}

const cases = JSON.parse(fixture('cases.json')) as EnvelopeCase[];
const aesText = JSON.parse(fixture('aes.json')) as { key: string; iv: string };
const aes = new AesMaterial(aesText.key, aesText.iv);
const privateKey = loadPrivateKey(fixture('private-pkcs1.b64'));
const publicKey = loadPublicKey(fixture('public-spki.b64'));
const payloadOf = (c: EnvelopeCase): string => fixture(c.payload);

const hex = (text: string): string => Buffer.from(text, 'ascii').toString('hex');

/** Raw AES-256-CBC over bytes with the fixture key, for crafting broken ciphertexts. */
function rawEncrypt(plain: Buffer, padding: boolean): string {
  const cipher = createCipheriv(
    'aes-256-cbc',
    Buffer.from(aesText.key, 'ascii'),
    Buffer.from(aesText.iv, 'ascii'),
  );
  cipher.setAutoPadding(padding);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function flipByte(base64: string, index: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] = bytes[index]! ^ 0x01;
  return bytes.toString('base64');
}

describe('fixtures', () => {
  it('cover the cases the envelope must handle', () => {
    expect(cases.map((c) => c.name)).toEqual([
      'deduct-cancel',
      'chinese',
      'block16',
      'block32',
      'empty',
    ]);
    const byName = new Map(cases.map((c) => [c.name, payloadOf(c)]));
    expect(Buffer.byteLength(byName.get('block16')!, 'utf8')).toBe(16);
    expect(Buffer.byteLength(byName.get('block32')!, 'utf8')).toBe(32);
    expect(byName.get('chinese')).toContain('台北信義店');
    expect(byName.get('empty')).toBe('{}');
    for (const c of cases) expect(() => JSON.parse(payloadOf(c)) as unknown).not.toThrow();
    expect(aesText.key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(aesText.iv).toMatch(/^[A-Za-z0-9]{16}$/);
  });
});

describe.each(cases)('openssl known answer: $name', (c) => {
  it('encrypt gives the openssl EncData byte for byte', () => {
    expect(aes.encrypt(payloadOf(c))).toBe(c.encData);
  });

  it('decrypt of the openssl EncData gives the payload', () => {
    expect(aes.decrypt(c.encData)).toBe(payloadOf(c));
  });

  it('signBase64 over the EncData string gives the openssl signature exactly', () => {
    expect(signBase64(c.encData, privateKey)).toBe(c.signature);
    expect(signBase64(Buffer.from(c.encData, 'utf8'), privateKey)).toBe(c.signature);
  });

  it('verifyBase64 accepts the openssl signature', () => {
    expect(verifyBase64(c.encData, c.signature, publicKey)).toBe(true);
    expect(verifyBase64(Buffer.from(c.encData, 'utf8'), c.signature, publicKey)).toBe(true);
  });

  it('verifyBase64 rejects a flipped signature byte, other data and another key', () => {
    expect(verifyBase64(c.encData, flipByte(c.signature, 0), publicKey)).toBe(false);
    expect(verifyBase64(c.encData, flipByte(c.signature, 255), publicKey)).toBe(false);
    expect(verifyBase64(flipByte(c.encData, 0), c.signature, publicKey)).toBe(false);
    expect(verifyBase64(`${c.encData} `, c.signature, publicKey)).toBe(false);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(verifyBase64(c.encData, c.signature, other)).toBe(false);
  });
});

describe('verifyBase64 never throws', () => {
  const data = cases[0]!.encData;
  it.each(['', 'not base64!', '====', 'AAAA', 'A'.repeat(10_000)])(
    'returns false for signature %#',
    (signature) => {
      expect(verifyBase64(data, signature, publicKey)).toBe(false);
    },
  );

  it('returns false when handed a non-RSA public key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifyBase64(data, cases[0]!.signature, ec)).toBe(false);
  });
});

describe('openssl accepts what the project makes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'omnigate-envelope-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const openssl = (args: string[]): string =>
    execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  it.each(cases)('openssl dgst -verify accepts the project signature ($name)', (c) => {
    const encData = aes.encrypt(payloadOf(c));
    const data = join(dir, `${c.name}.txt`);
    const sig = join(dir, `${c.name}.sig`);
    writeFileSync(data, encData, 'utf8');
    writeFileSync(sig, Buffer.from(signBase64(encData, privateKey), 'base64'));
    const out = openssl([
      'dgst',
      '-sha256',
      '-verify',
      join(FIXTURES, 'public-spki.pem'),
      '-signature',
      sig,
      data,
    ]);
    expect(out.trim()).toBe('Verified OK');
  });

  it('openssl dgst -verify rejects a project signature over other data', () => {
    const encData = aes.encrypt('{"a":1}');
    const data = join(dir, 'other.txt');
    const sig = join(dir, 'other.sig');
    writeFileSync(data, encData, 'utf8');
    writeFileSync(sig, Buffer.from(signBase64(`${encData}x`, privateKey), 'base64'));
    expect(() =>
      openssl([
        'dgst',
        '-sha256',
        '-verify',
        join(FIXTURES, 'public-spki.pem'),
        '-signature',
        sig,
        data,
      ]),
    ).toThrow();
  });

  it.each(cases)('openssl enc -d decrypts the project EncData ($name)', (c) => {
    const file = join(dir, `${c.name}.enc`);
    writeFileSync(file, aes.encrypt(payloadOf(c)), 'utf8');
    const plain = execFileSync(
      'openssl',
      [
        'enc',
        '-d',
        '-aes-256-cbc',
        '-K',
        hex(aesText.key),
        '-iv',
        hex(aesText.iv),
        '-base64',
        '-A',
        '-in',
        file,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(plain.toString('utf8')).toBe(payloadOf(c));
    expect(plain.equals(Buffer.from(payloadOf(c), 'utf8'))).toBe(true);
  });
});

describe('AesMaterial', () => {
  const key = aesText.key;
  const iv = aesText.iv;

  it.each([
    ['31 characters', key.slice(1)],
    ['33 characters', `${key}A`],
    ['empty', ''],
    ['16 characters', iv],
    ['a space inside', `${key.slice(0, 31)} `],
    ['non-ASCII of the right length', `${key.slice(0, 31)}é`],
  ])('rejects a key of %s', (_what, badKey) => {
    expect(() => new AesMaterial(badKey, iv)).toThrow(AesKeyError);
  });

  it.each([
    ['15 characters', iv.slice(1)],
    ['17 characters', `${iv}A`],
    ['empty', ''],
    ['32 characters', key],
    ['non-ASCII of the right length', `${iv.slice(0, 15)}信`],
  ])('rejects an IV of %s', (_what, badIv) => {
    expect(() => new AesMaterial(key, badIv)).toThrow(AesKeyError);
  });

  it('error messages do not contain the key or IV', () => {
    for (const make of [
      () => new AesMaterial(`${key}X`, iv),
      () => new AesMaterial(key, `${iv}X`),
    ]) {
      try {
        make();
        expect.unreachable();
      } catch (error) {
        expect(String(error)).not.toContain(key);
        expect(String(error)).not.toContain(iv);
      }
    }
  });

  it('never prints its key or IV', () => {
    for (const text of [String(aes), JSON.stringify({ aes }), inspect(aes, { showHidden: true })]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(iv);
      expect(text).not.toContain(hex(key));
    }
  });

  it.each([
    ['empty', ''],
    ['not base64', 'not base64!!'],
    ['base64url', cases[0]!.encData.replace(/\+/g, '-').replace(/\//g, '_')],
    ['with a newline', `${cases[2]!.encData.slice(0, 10)}\n${cases[2]!.encData.slice(10)}`],
    ['too much padding', 'AAAA==='],
  ])('decrypt throws on %s input', (_what, input) => {
    expect(() => aes.decrypt(input)).toThrow();
  });

  it.each([
    ['15 bytes', Buffer.alloc(15).toString('base64')],
    ['17 bytes', Buffer.alloc(17).toString('base64')],
    [
      'a real answer missing its first byte',
      Buffer.from(cases[0]!.encData, 'base64').subarray(1).toString('base64'),
    ],
  ])('decrypt throws on a ciphertext of %s', (_what, input) => {
    expect(() => aes.decrypt(input)).toThrow();
  });

  it('decrypt throws on bad PKCS#7 padding', () => {
    // One block whose plaintext ends in 0x00: never valid PKCS#7.
    expect(() => aes.decrypt(rawEncrypt(Buffer.alloc(16, 0), false))).toThrow();
    // Last byte claims 5 bytes of padding, but the bytes before it disagree.
    const inconsistent = Buffer.alloc(16, 0x41);
    inconsistent[15] = 5;
    expect(() => aes.decrypt(rawEncrypt(inconsistent, false))).toThrow();
    // Padding value larger than a block.
    expect(() => aes.decrypt(rawEncrypt(Buffer.alloc(16, 17), false))).toThrow();
  });

  it('decrypt throws under another key', () => {
    const other = new AesMaterial('A'.repeat(32), aesText.iv);
    // Whole-block plaintexts make a wrong key fail on padding or on UTF-8 almost surely;
    // what matters is that it never silently returns the payload.
    let result: string | undefined;
    try {
      result = other.decrypt(cases[0]!.encData);
    } catch {
      result = undefined;
    }
    expect(result).not.toBe(payloadOf(cases[0]!));
  });

  it('decrypt rejects invalid UTF-8', () => {
    expect(() => aes.decrypt(rawEncrypt(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), true))).toThrow();
    // A truncated multi-byte sequence: the first two bytes of 信 (e4 bf a1).
    expect(() => aes.decrypt(rawEncrypt(Buffer.from([0x7b, 0xe4, 0xbf, 0x7d]), true))).toThrow();
    // An overlong encoding of '/'.
    expect(() => aes.decrypt(rawEncrypt(Buffer.from([0xc0, 0xaf]), true))).toThrow();
  });

  it('decrypt accepts valid multi-byte UTF-8 made outside AesMaterial', () => {
    const text = '{"RtnMsg":"成功","StoreName":"台北信義店"}';
    expect(aes.decrypt(rawEncrypt(Buffer.from(text, 'utf8'), true))).toBe(text);
  });

  it('round-trips strings of every length around the block size', () => {
    for (let n = 0; n <= 48; n += 1) {
      const text = 'x'.repeat(n);
      const enc = aes.encrypt(text);
      expect(Buffer.from(enc, 'base64').length).toBe((Math.floor(n / 16) + 1) * 16);
      expect(aes.decrypt(enc)).toBe(text);
    }
  });
});

describe('signBase64', () => {
  it('is deterministic (PKCS#1 v1.5) and verifies with the matching public key', () => {
    const key: KeyObject = privateKey;
    const a = signBase64('EncData', key);
    expect(signBase64('EncData', key)).toBe(a);
    expect(Buffer.from(a, 'base64')).toHaveLength(256);
    expect(verifyBase64('EncData', a, publicKey)).toBe(true);
  });

  it('signs the UTF-8 bytes of a string', () => {
    const text = '成功';
    expect(signBase64(text, privateKey)).toBe(signBase64(Buffer.from(text, 'utf8'), privateKey));
  });
});
