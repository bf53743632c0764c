import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { ProvisioningOption, WalletCredentials } from '../providers/types.js';

/**
 * The options a wallet declares for `store set` and `credentials set`, as
 * command-line options: each wallet's own, merged into one command, and read
 * back per type. Secrets never need the command line: `--<name>-file <path>`
 * (`-` reads standard input); a wallet's old `--<name> <value>` form still
 * works where it declares one, with a warning.
 */

export class WalletOptionError extends Error {
  override readonly name = 'WalletOptionError';
}

/** commander's property name of a `--kebab-case` option. */
const camel = (name: string): string =>
  name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function flagsOf(option: ProvisioningOption): { flags: string; description: string }[] {
  switch (option.input) {
    case 'value':
      return [{ flags: `--${option.name} <value>`, description: option.description }];
    case 'file':
      return [{ flags: `--${option.name} <file>`, description: option.description }];
    case 'secret':
      return [
        {
          flags: `--${option.name}-file <file>`,
          description: `${option.description}: a file holding it, or - for standard input`,
        },
        ...(option.legacyValue
          ? [
              {
                flags: `--${option.legacyValue} <value>`,
                description: `${option.description} on the command line (deprecated: ps and shell history show it)`,
              },
            ]
          : []),
      ];
  }
}

/** Adds every wallet's options of one kind to `command`, each once, none mandatory. */
export function addWalletOptions(
  command: Command,
  wallets: ReadonlyMap<string, WalletCredentials>,
  kind: 'storeOptions' | 'credentialOptions',
): void {
  const seen = new Set<string>();
  for (const [type, wallet] of wallets) {
    for (const option of wallet[kind]) {
      for (const { flags, description } of flagsOf(option)) {
        if (seen.has(flags)) continue;
        seen.add(flags);
        const added = new Option(flags, `${description} (${type})`);
        if (option.choices) added.choices([...option.choices]);
        command.addOption(added);
      }
    }
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch {
    throw new WalletOptionError(`cannot read ${what} file ${path}`);
  }
}

/**
 * The chosen type's option values by name, files read and secrets taken from
 * their files or standard input. Options of other wallets are refused.
 */
export function readWalletOptions(
  opts: Readonly<Record<string, unknown>>,
  type: string,
  wallets: ReadonlyMap<string, WalletCredentials>,
  kind: 'storeOptions' | 'credentialOptions',
  warn: (line: string) => void,
): Record<string, string> {
  const wallet = wallets.get(type);
  if (!wallet) throw new WalletOptionError(`unknown type ${type}`);
  const own = wallet[kind];
  const ownFlags = new Set(own.flatMap((o) => flagsOf(o).map((f) => f.flags.split(' ')[0]!)));
  for (const other of wallets.values()) {
    for (const option of other[kind]) {
      for (const { flags } of flagsOf(option)) {
        const flag = flags.split(' ')[0]!;
        if (!ownFlags.has(flag) && opts[camel(flag.slice(2))] !== undefined) {
          throw new WalletOptionError(`${flag} is not an option of type ${type}`);
        }
      }
    }
  }
  const input: Record<string, string> = {};
  for (const option of own) {
    const what = option.description;
    let value: string | undefined;
    if (option.input === 'secret') {
      const file = opts[camel(`${option.name}-file`)];
      const legacy = option.legacyValue ? opts[camel(option.legacyValue)] : undefined;
      if (typeof file === 'string' && typeof legacy === 'string') {
        throw new WalletOptionError(
          `give --${option.name}-file or --${option.legacyValue}, not both`,
        );
      }
      if (typeof file === 'string') value = readText(file, what).replace(/\r?\n$/, '');
      else if (typeof legacy === 'string') {
        warn(
          `omnigate: warning: --${option.legacyValue} puts a secret on the command line ` +
            `(ps and shell history show it); use --${option.name}-file instead`,
        );
        value = legacy;
      }
    } else {
      const raw = opts[camel(option.name)];
      if (typeof raw === 'string') value = option.input === 'file' ? readText(raw, what) : raw;
    }
    if (value === undefined) {
      if (option.required) {
        const flag = option.input === 'secret' ? `--${option.name}-file` : `--${option.name}`;
        throw new WalletOptionError(`${flag} is required for type ${type}`);
      }
      continue;
    }
    input[option.name] = value;
  }
  return input;
}
