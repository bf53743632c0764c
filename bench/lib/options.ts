/**
 * The benches' options: `--name value` on the command line, else the environment's
 * `BENCH_NAME` (dashes as underscores); flags are `--name` or `BENCH_NAME=1`.
 */

export function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at >= 0) return process.argv[at + 1];
  return process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
}

/** A number option within [min, max] (`whole`: a whole number), else `fallback`; throws when out of range. */
export function numberOption(
  name: string,
  fallback: number,
  min: number,
  max: number,
  whole = false,
): number {
  const raw = option(name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  const valid = whole ? Number.isSafeInteger(value) : Number.isFinite(value);
  if (!valid || value < min || value > max)
    throw new Error(
      `--${name} must be a ${whole ? 'whole number' : 'number'} from ${min} to ${max}`,
    );
  return value;
}

export const flag = (name: string): boolean =>
  process.argv.includes(`--${name}`) ||
  process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] === '1';
