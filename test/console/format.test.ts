import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatMoney,
  formatPercent,
  formatTime,
  taiwanDate,
  taiwanDayStart,
  tick,
} from '../../src/console/format.js';

/** How the console shows amounts and times, whatever the language or the browser's zone. */
describe('console formatting', () => {
  it('amounts: NT$ with thousands separators and no decimals; other currencies by code', () => {
    expect(formatMoney(0)).toBe('NT$0');
    expect(formatMoney(100)).toBe('NT$100');
    expect(formatMoney(1234)).toBe('NT$1,234');
    expect(formatMoney(1234567, 'TWD')).toBe('NT$1,234,567');
    expect(formatMoney(-40)).toBe('−NT$40');
    expect(formatMoney(12.6)).toBe('NT$13');
    expect(formatMoney(1500, 'USD')).toBe('USD 1,500');
    expect(formatMoney(null)).toBe('—');
  });

  it('times: Taiwan time (UTC+8) from an instant, midnight and the date line included', () => {
    expect(formatTime('2026-01-31T16:00:00.000Z')).toBe('2026/02/01 00:00:00');
    expect(formatTime('2026-12-31T15:59:59.999Z')).toBe('2026/12/31 23:59:59');
    expect(formatTime(Date.UTC(2024, 1, 28, 16, 5, 3))).toBe('2024/02/29 00:05:03');
    expect(formatTime(null)).toBe('—');
    expect(formatTime('not a time')).toBe('—');
  });

  it('a Taiwan date is a Taiwan day: its start as an instant, and the date of an instant', () => {
    expect(taiwanDayStart('2026-12-01')).toBe('2026-11-30T16:00:00.000Z');
    expect(taiwanDayStart('2026-12-01', 1)).toBe('2026-12-01T16:00:00.000Z');
    expect(taiwanDayStart('2026-12-01', -6)).toBe('2026-11-24T16:00:00.000Z');
    expect(taiwanDayStart('12/01/2026')).toBeNull();
    expect(taiwanDate('2026-11-30T16:00:00.000Z')).toBe('2026-12-01');
    expect(taiwanDate('2026-11-30T15:59:59.999Z')).toBe('2026-11-30');
  });

  it('rates and durations', () => {
    expect(formatPercent(0.985)).toBe('98.5%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(null)).toBe('—');
    expect(formatDuration(42, 'zh-TW')).toBe('42 秒');
    expect(formatDuration(3 * 3600 + 5 * 60, 'zh-TW')).toBe('3 小時 5 分');
    expect(formatDuration(2 * 86_400 + 3600, 'en')).toBe('2 d 1 h');
  });

  it('chart ticks in Taiwan time: hours as HH:00 (a date at midnight), days as MM/dd', () => {
    // 2026-12-01T06:00Z is 14:00 on 12/01 in Taipei; 16:00Z is midnight of 12/02 there.
    expect(tick(Date.parse('2026-12-01T06:00:00Z') / 1000, 3600)).toBe('14:00');
    expect(tick(Date.parse('2026-12-01T16:00:00Z') / 1000, 3600)).toBe('12/02');
    expect(tick(Date.parse('2026-12-01T16:00:00Z') / 1000, 86_400)).toBe('12/02');
    expect(tick(Date.parse('2026-12-31T15:59:59Z') / 1000, 86_400)).toBe('12/31');
  });
});
