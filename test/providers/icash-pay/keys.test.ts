import {
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  KeyFormatError,
  loadPrivateKey,
  loadPublicKey,
  privateKeyToPem,
  publicKeyToPem,
} from '../../../src/providers/icash-pay/keys.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/envelope/', import.meta.url));
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

const PRIVATE_FILES = [
  'private-pkcs1.pem',
  'private-pkcs8.pem',
  'private-pkcs1.b64',
  'private-pkcs8.b64',
  'private-pkcs1-mislabelled.pem',
];
const PUBLIC_FILES = ['public-spki.pem', 'public-pkcs1.pem', 'public-spki.b64', 'public-pkcs1.b64'];

/** The SPKI DER (base64) of a key's public half; the identity the tests compare. */
const spkiOf = (key: KeyObject): string =>
  (key.type === 'private' ? createPublicKey(key) : key)
    .export({ format: 'der', type: 'spki' })
    .toString('base64');
const expectedSpki = fixture('public-spki.b64').trim();
const reference = loadPublicKey(fixture('public-spki.pem'));
const DATA = Buffer.from('s/4LqsduUvMemxsSu6GfDjD4mdh+kylR', 'utf8');

/** Asserts `load(text)` throws a KeyFormatError whose message holds no part of `text`. */
function expectRejected(load: (text: string) => KeyObject, text: string): void {
  let caught: unknown;
  try {
    load(text);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KeyFormatError);
  const message = `${String(caught)} ${(caught as Error).stack ?? ''}`;
  const body = text.replace(/-----[A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');
  for (let i = 0; i + 12 <= body.length; i += 12) {
    expect(message).not.toContain(body.slice(i, i + 12));
  }
}

describe('loadPrivateKey', () => {
  it.each(PRIVATE_FILES)('loads %s as the fixture key', (file) => {
    const key = loadPrivateKey(fixture(file));
    expect(key.type).toBe('private');
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // Same key: its public half is the fixture public key, and signatures verify with it.
    expect(spkiOf(key)).toBe(expectedSpki);
    const signature = sign('sha256', DATA, key);
    expect(verify('sha256', DATA, reference, signature)).toBe(true);
  });

  it('signs identically from every encoding (PKCS#1 v1.5 is deterministic)', () => {
    const signatures = PRIVATE_FILES.map((file) =>
      sign('sha256', DATA, loadPrivateKey(fixture(file))).toString('base64'),
    );
    expect(new Set(signatures).size).toBe(1);
  });

  it('tolerates CRLF line ends, surrounding blank lines and a wrapped bare base64 body', () => {
    const crlf = `\r\n${fixture('private-pkcs1.pem').replace(/\n/g, '\r\n')}\r\n`;
    expect(spkiOf(loadPrivateKey(crlf))).toBe(expectedSpki);
    const wrapped = fixture('private-pkcs1.b64').replace(/(.{64})/g, '$1\n');
    expect(spkiOf(loadPrivateKey(`  ${wrapped}  `))).toBe(expectedSpki);
  });

  it('round-trips through privateKeyToPem', () => {
    const pem = privateKeyToPem(loadPrivateKey(fixture('private-pkcs1.b64')));
    expect(pem).toContain('BEGIN PRIVATE KEY');
    expect(spkiOf(loadPrivateKey(pem))).toBe(expectedSpki);
  });
});

describe('loadPublicKey', () => {
  it.each(PUBLIC_FILES)('loads %s as the fixture key', (file) => {
    const key = loadPublicKey(fixture(file));
    expect(key.type).toBe('public');
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(spkiOf(key)).toBe(expectedSpki);
    const signature = sign('sha256', DATA, loadPrivateKey(fixture('private-pkcs1.b64')));
    expect(verify('sha256', DATA, key, signature)).toBe(true);
  });

  it('accepts a PKCS#1 public body under a wrong SPKI label', () => {
    const body = fixture('public-pkcs1.pem')
      .replace('BEGIN RSA PUBLIC KEY', 'BEGIN PUBLIC KEY')
      .replace('END RSA PUBLIC KEY', 'END PUBLIC KEY');
    expect(spkiOf(loadPublicKey(body))).toBe(expectedSpki);
  });

  it('round-trips through publicKeyToPem', () => {
    const pem = publicKeyToPem(loadPublicKey(fixture('public-pkcs1.b64')));
    expect(pem).toBe(fixture('public-spki.pem'));
  });
});

describe('rejected key material', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecPrivatePem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const ecPrivateSec1 = ec.privateKey.export({ format: 'der', type: 'sec1' }).toString('base64');
  const ecPublicPem = ec.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const ecPublicB64 = ec.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const ed = generateKeyPairSync('ed25519');
  const edPrivate = ed.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  const edPublic = ed.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const randomB64 = randomBytes(1200).toString('base64');
  const truncated = fixture('private-pkcs1.b64').slice(0, 800);

  const bad: [string, string][] = [
    ['empty', ''],
    ['whitespace', '  \n\t '],
    ['plain text', 'this is not a key'],
    ['PEM armour around nothing', '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----'],
    [
      'PEM armour around non-base64',
      '-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----',
    ],
    ['random base64', randomB64],
    ['a truncated key', truncated],
    ['JSON', '{"key":"MIIEowIBAAKCAQEA"}'],
  ];

  describe.each(bad)('%s', (_what, text) => {
    it('is refused by loadPrivateKey', () => expectRejected(loadPrivateKey, text));
    it('is refused by loadPublicKey', () => expectRejected(loadPublicKey, text));
  });

  it.each([
    ['EC PKCS#8 PEM', ecPrivatePem],
    ['EC SEC1 base64', ecPrivateSec1],
    ['Ed25519 PKCS#8 base64', edPrivate],
  ])('loadPrivateKey refuses a non-RSA key (%s)', (_what, text) => {
    expectRejected(loadPrivateKey, text);
  });

  it.each([
    ['EC SPKI PEM', ecPublicPem],
    ['EC SPKI base64', ecPublicB64],
    ['Ed25519 SPKI base64', edPublic],
  ])('loadPublicKey refuses a non-RSA key (%s)', (_what, text) => {
    expectRejected(loadPublicKey, text);
  });

  it('loadPrivateKey refuses a public key', () => {
    for (const file of PUBLIC_FILES) expectRejected(loadPrivateKey, fixture(file));
  });

  it('names what was being loaded, not the key', () => {
    try {
      loadPrivateKey(truncated, 'client private key');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(KeyFormatError);
      expect((error as Error).message).toMatch(/^client private key: /);
      expect((error as Error).name).toBe('KeyFormatError');
    }
  });
});
