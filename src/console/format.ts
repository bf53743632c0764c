/**
 * How the console shows amounts and times, whatever the language: NT$ with thousands
 * separators and no decimals, and Taiwan time (Asia/Taipei, UTC+8, no daylight saving).
 * No DOM here: test/console/format.test.ts runs it in Node.
 */
const TAIWAN_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

const grouping = new Intl.NumberFormat('zh-TW', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('zh-TW', { maximumFractionDigits: 1 });

/** `NT$1,234` (TWD); another currency `USD 1,234`; a dash when unknown. */
export function formatMoney(
  amount: number | null | undefined,
  currency: string | null = 'TWD',
): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return '—';
  const sign = amount < 0 ? '−' : '';
  const digits = grouping.format(Math.abs(amount));
  return currency === null || currency === 'TWD'
    ? `${sign}NT$${digits}`
    : `${sign}${currency} ${digits}`;
}

/** `1,234` */
export const formatCount = (n: number): string => grouping.format(n);

/** `98.5%`; a dash when there is nothing to divide. */
export const formatPercent = (ratio: number | null): string =>
  ratio === null || !Number.isFinite(ratio) ? '—' : `${decimal.format(ratio * 100)}%`;

/** `123 ms`; a dash when unknown. */
export const formatMs = (ms: number | null | undefined): string =>
  ms === null || ms === undefined ? '—' : `${grouping.format(Math.round(ms))} ms`;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The Taiwan calendar fields of an instant. */
function taiwanParts(ms: number) {
  const t = new Date(ms + TAIWAN_OFFSET_MS);
  return {
    year: t.getUTCFullYear(),
    month: t.getUTCMonth() + 1,
    day: t.getUTCDate(),
    hour: t.getUTCHours(),
    minute: t.getUTCMinutes(),
    second: t.getUTCSeconds(),
  };
}

const toMs = (time: string | number): number =>
  typeof time === 'number' ? time : Date.parse(time);

/** `2026/12/01 09:05:03` in Taiwan time; a dash when absent. */
export function formatTime(time: string | number | null | undefined): string {
  if (time === null || time === undefined) return '—';
  const ms = toMs(time);
  if (!Number.isFinite(ms)) return '—';
  const p = taiwanParts(ms);
  return (
    `${pad(p.year, 4)}/${pad(p.month)}/${pad(p.day)} ` +
    `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`
  );
}

/** `09:05:03` in Taiwan time. */
export function formatClock(time: string | number): string {
  const p = taiwanParts(toMs(time));
  return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** The Taiwan date `yyyy-mm-dd` of an instant (what a date input holds). */
export function taiwanDate(time: string | number): string {
  const p = taiwanParts(toMs(time));
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** The instant a Taiwan date (`yyyy-mm-dd`) begins, plus `days`, as ISO 8601; null if not a date. */
export function taiwanDayStart(date: string, days = 0): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (!Number.isFinite(utc)) return null;
  return new Date(utc - TAIWAN_OFFSET_MS + days * DAY_MS).toISOString();
}

/** A duration in words: `2 h 5 min` / `2 小時 5 分`. */
export function formatDuration(seconds: number | null, lang: 'zh-TW' | 'en'): string {
  if (seconds === null) return '—';
  const units =
    lang === 'en'
      ? { d: ' d', h: ' h', m: ' min', s: ' s' }
      : { d: ' 天', h: ' 小時', m: ' 分', s: ' 秒' };
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = Math.floor(seconds % 60);
  const parts: string[] = [];
  if (d > 0) parts.push(`${d}${units.d}`);
  if (h > 0) parts.push(`${h}${units.h}`);
  if (m > 0 && d === 0) parts.push(`${m}${units.m}`);
  if (parts.length === 0) parts.push(`${s}${units.s}`);
  return parts.slice(0, 2).join(' ');
}

const tickParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Taipei',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
});

/** An x-axis tick in Taiwan time: `MM/dd` for a day, `HH:00` for an hour (`MM/dd` at midnight). */
export function tick(seconds: number, step: number): string {
  const part = Object.fromEntries(
    tickParts.formatToParts(new Date(seconds * 1000)).map((p) => [p.type, p.value]),
  );
  const day = `${part.month}/${part.day}`;
  return step >= 86_400 || part.hour === '00' ? day : `${part.hour}:00`;
}
