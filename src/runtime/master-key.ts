import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/config.js';
import { type SecretBox, generateMasterKey, parseMasterKeys } from '../core/master-key.js';

/**
 * The master key: from OMNIGATE_MASTER_KEY, or, for a development start only,
 * generated once and kept in `<data>/master.key` (mode 0600).
 */
export function loadSecretBox(config: Config): SecretBox {
  if (config.masterKey !== undefined) return parseMasterKeys(config.masterKey);
  if (config.production) {
    throw new ConfigError('OMNIGATE_MASTER_KEY is required for a production start');
  }
  const file = join(config.dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, `${generateMasterKey()}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return parseMasterKeys(readFileSync(file, 'utf8'));
}
