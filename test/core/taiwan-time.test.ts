import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTaiwanTime, parseTaiwanTime } from '../../src/core/taiwan-time.js';

const utc = (iso: string): Date => new Date(iso);

describe('formatTaiwanTime', () => {
  it.each([
    ['2023-07-10T15:10:10Z', '2023/07/10 23:10:10'],
    ['2023-07-10T15:59:59Z', '2023/07/10 23:59:59'],
    ['2023-07-10T16:00:00Z', '2023/07/11 00:00:00'],
    ['2023-07-10T00:00:00Z', '2023/07/10 08:00:00'],
    ['2023-07-09T23:59:59Z', '2023/07/10 07:59:59'],
    ['2023-12-31T16:00:00Z', '2024/01/01 00:00:00'],
    ['2024-02-28T16:00:00Z', '2024/02/29 00:00:00'],
    ['2023-02-28T16:00:00Z', '2023/03/01 00:00:00'],
    ['2023-01-01T00:00:05Z', '2023/01/01 08:00:05'],
  ])('%s is %s in Taipei', (iso, taipei) => {
    expect(formatTaiwanTime(utc(iso))).toBe(taipei);
  });

  it('drops milliseconds rather than rounding', () => {
    expect(formatTaiwanTime(utc('2023-07-10T15:10:10.999Z'))).toBe('2023/07/10 23:10:10');
  });

  it('is independent of the process time zone (UTC+8, no daylight saving)', () => {
    // Mid-summer and mid-winter give the same offset.
    expect(formatTaiwanTime(utc('2023-01-15T04:00:00Z'))).toBe('2023/01/15 12:00:00');
    expect(formatTaiwanTime(utc('2023-07-15T04:00:00Z'))).toBe('2023/07/15 12:00:00');
  });
});

describe('parseTaiwanTime', () => {
  it.each([
    ['2023/07/10 23:10:10', '2023-07-10T15:10:10.000Z'],
    ['2023/07/11 00:00:00', '2023-07-10T16:00:00.000Z'],
    ['2023/07/11 07:59:59', '2023-07-10T23:59:59.000Z'],
    ['2024/01/01 00:00:00', '2023-12-31T16:00:00.000Z'],
    ['2024/02/29 12:00:00', '2024-02-29T04:00:00.000Z'],
    ['2000/02/29 00:00:00', '2000-02-28T16:00:00.000Z'],
    ['2023/12/31 23:59:59', '2023-12-31T15:59:59.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseTaiwanTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    ['February 30th', '2023/02/30 10:00:00'],
    ['February 29th of a common year', '2023/02/29 10:00:00'],
    ['February 29th of 1900', '1900/02/29 10:00:00'],
    // Date.UTC reads years 0-99 as 1900-1999; year 0 and the like are no calendar time here.
    ['year 0000', '0000/02/03 10:10:10'],
    ['year 0004 (1904 was a leap year)', '0004/02/29 10:00:00'],
    ['year 0099', '0099/12/31 23:59:59'],
    ['April 31st', '2023/04/31 10:00:00'],
    ['day 0', '2023/07/00 10:00:00'],
    ['day 32', '2023/07/32 10:00:00'],
    ['month 0', '2023/00/10 10:00:00'],
    ['month 13', '2023/13/10 10:00:00'],
    ['24:00:00', '2023/07/10 24:00:00'],
    ['minute 60', '2023/07/10 23:60:00'],
    ['a leap second', '2023/12/31 23:59:60'],
    ['dashes', '2023-07-10 23:10:10'],
    ['ISO T', '2023/07/10T23:10:10'],
    ['dots in the time', '2023/07/10 23.10.10'],
    ['two spaces', '2023/07/10  23:10:10'],
    ['unpadded month', '2023/7/10 23:10:10'],
    ['unpadded hour', '2023/07/10 9:10:10'],
    ['two-digit year', '23/07/10 23:10:10'],
    ['no time', '2023/07/10'],
    ['milliseconds', '2023/07/10 23:10:10.000'],
    ['a zone suffix', '2023/07/10 23:10:10Z'],
    ['leading space', ' 2023/07/10 23:10:10'],
    ['trailing newline', '2023/07/10 23:10:10\n'],
    ['full-width digits', '２０２３/07/10 23:10:10'],
    ['empty', ''],
  ])('rejects %s', (_what, text) => {
    expect(parseTaiwanTime(text)).toBeNull();
  });
});

describe('round trip', () => {
  const lo = Date.UTC(1970, 0, 1);
  const hi = Date.UTC(2100, 0, 1);

  it('parse(format(t)) === t for every whole second', () => {
    fc.assert(
      fc.property(fc.integer({ min: lo / 1000, max: hi / 1000 }), (seconds) => {
        const date = new Date(seconds * 1000);
        expect(parseTaiwanTime(formatTaiwanTime(date))?.getTime()).toBe(date.getTime());
      }),
      { numRuns: 2000 },
    );
  });

  it('format(parse(s)) === s for every valid text', () => {
    fc.assert(
      fc.property(fc.integer({ min: lo / 1000, max: hi / 1000 }), (seconds) => {
        const text = formatTaiwanTime(new Date(seconds * 1000));
        expect(formatTaiwanTime(parseTaiwanTime(text)!)).toBe(text);
      }),
    );
  });

  it('every second of a Taipei day boundary round-trips', () => {
    const start = Date.UTC(2023, 6, 10, 15, 59, 0);
    for (let s = 0; s < 120; s += 1) {
      const date = new Date(start + s * 1000);
      expect(parseTaiwanTime(formatTaiwanTime(date))?.getTime()).toBe(date.getTime());
    }
  });
});
