import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateMasterKey, parseMasterKeys } from '../../src/core/master-key.js';
import { openStore } from '../../src/store/index.js';

/** Endpoint secrets at rest: sealed with the master key, re-sealed by a key rotation. */
describe('webhook secrets at rest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnigate-hook-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are sealed, open only with the master key, and follow a master-key rotation', async () => {
    const file = join(dir, 'omnigate.sqlite');
    const oldKey = generateMasterKey();
    const newKey = generateMasterKey();
    const first = await openStore(file, parseMasterKeys(oldKey));
    const companyId = await first.companies.createCompany('hooks');
    const { endpointId, secret } = await first.webhooks.createEndpoint(
      companyId,
      'https://example.com/hooks',
      null,
    );
    await first.close();
    const raw = secret.reveal();
    expect(raw).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(raw.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(readFileSync(file).includes(Buffer.from(raw.slice('whsec_'.length)))).toBe(false);

    const rotating = await openStore(file, parseMasterKeys(`v2:${newKey},v1:${oldKey}`));
    expect(await rotating.webhooks.resealAll()).toBe(1);
    expect(await rotating.webhooks.resealAll()).toBe(0);
    await rotating.close();

    const after = await openStore(file, parseMasterKeys(`v2:${newKey}`));
    try {
      expect((await after.webhooks.target(endpointId))?.secret.reveal()).toBe(raw);
      expect(String((await after.webhooks.target(endpointId))?.secret)).toBe('[redacted]');
    } finally {
      await after.close();
    }
  });
});
