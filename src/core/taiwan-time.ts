/** The API's dates are `yyyy/MM/dd HH:mm:ss` in Taiwan time (UTC+8, no daylight saving). */
const TAIWAN_OFFSET_MS = 8 * 60 * 60 * 1000;
const PATTERN = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function formatTaiwanTime(date: Date): string {
  const t = new Date(date.getTime() + TAIWAN_OFFSET_MS);
  return (
    `${pad(t.getUTCFullYear(), 4)}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())} ` +
    `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`
  );
}

/** Parses `yyyy/MM/dd HH:mm:ss` as Taiwan time; `null` unless it names a real calendar time. */
export function parseTaiwanTime(text: string): Date | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  // The year too: Date.UTC reads years 0-99 as 1900-1999, so "0004/02/29" would pass.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day
  ) {
    return null;
  }
  return new Date(utc - TAIWAN_OFFSET_MS);
}
