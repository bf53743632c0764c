import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { type Compilable, Kysely, PostgresAdapter, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRequestId } from '../../src/core/ids.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import {
  type LedgerFilter,
  type PrefixPlan,
  ID_AFTER_ROW_MAX_MS,
  ROW_AFTER_ID_MAX_MS,
  TransactionLedger,
  legacyIdQuery,
  listQuery,
  prefixCountQuery,
  prefixEnd,
} from '../../src/store/ledger.js';
import { TEST_BACKEND, type TestDatabase, createTestDatabase } from '../support/backend.js';
import { cancelOpening, openLedger } from './helpers.js';

const A = 'cmp_list_a';
const B = 'cmp_list_b';
const T0 = Date.UTC(2026, 5, 1);
const MINUTE = 60_000;

interface Written {
  requestId: string;
  companyId: string;
  tradeNo: string;
  createdAt: number;
}

/**
 * The operators' list (`TransactionLedger.list`, migration 0008): `q` is exactly a
 * prefix, a time range is exactly the rows created in it, on SQLite and on PostgreSQL;
 * and each filter is read from its index in the list's order, never by sorting the
 * company's rows. A benchmark measures the speed (`npm run bench -- --admin`); this
 * checks the plans that give it.
 */
describe('ledger list: filters as index ranges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnigate-list-'));
  let database: TestDatabase;
  let url: string;
  let handle: DatabaseHandle;
  let ledger: TransactionLedger;
  const written: Written[] = [];

  const write = async (
    companyId: string,
    tradeNo: string,
    createdAt: number,
    requestId = newRequestId(createdAt),
    state: 'succeeded' | 'declined' = 'succeeded',
  ) => {
    await ledger.record(
      { ...cancelOpening(requestId, tradeNo), companyId },
      { state, announce: false },
      createdAt,
    );
    written.push({ requestId, companyId, tradeNo, createdAt });
  };

  const ids = (rows: { requestId: string }[]) => rows.map((r) => r.requestId);
  const newestFirst = (rows: Written[]) =>
    rows.map((r) => r.requestId).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));

  beforeAll(async () => {
    database = await createTestDatabase(dir);
    url = database.url ?? join(dir, 'omnigate.sqlite');
    ({ handle, ledger } = await openLedger(url));
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('q is exactly a prefix of the order number or request id: case, % and _, any code point', async () => {
    const tradeNos = [
      'AB%1',
      'AB_1',
      'ABx1',
      'ab1',
      'AB',
      'AC1',
      '字號1',
      '字號2',
      'A\u{10FFFF}Z',
      'A\u{10FFFF}',
      'B\u{FFFF}x',
      'B\u{10000}x',
      'B\u{E000}',
      'B\u{D7FF}',
    ];
    for (const [i, no] of tradeNos.entries()) await write(A, no, T0 + i);
    await write(B, 'AB%1', T0 + 100);
    const mine = written.filter((w) => w.companyId === A);
    const queries = [
      'AB',
      'AB%',
      'AB_',
      'ab',
      '%',
      '_',
      'A',
      'A\u{10FFFF}',
      '\u{10FFFF}',
      '字',
      '字號2',
      'B',
      'B\u{FFFF}',
      'B\u{D7FF}',
      'Z',
      mine[3]!.requestId.slice(0, 20),
      mine[3]!.requestId.slice(0, 8).toUpperCase(),
    ];
    const plans: PrefixPlan[] =
      TEST_BACKEND === 'sqlite' ? ['matches-first', 'filter'] : ['filter'];
    for (const q of queries) {
      const expected = newestFirst(
        mine.filter((w) => w.tradeNo.startsWith(q) || w.requestId.startsWith(q)),
      );
      const filter: LedgerFilter = { companyId: A, q, limit: 100 };
      expect(ids(await ledger.list(filter)), q).toEqual(expected);
      for (const prefixPlan of plans) {
        const rows = await listQuery(handle.db, filter, {
          timeOrderedIds: true,
          prefixPlan,
        }).execute();
        expect(
          rows.map((r) => r.request_id),
          `${q} ${prefixPlan}`,
        ).toEqual(expected);
      }
    }
    expect(prefixEnd('ab')).toBe('ac');
    expect(prefixEnd('a\u{D7FF}')).toBe('a\u{E000}');
    expect(prefixEnd('a\u{10FFFF}')).toBe('b');
    expect(prefixEnd('\u{10FFFF}\u{10FFFF}')).toBeNull();
  });

  it('a time range is exactly the rows created in it, ids made minutes before or after included', async () => {
    const at = T0 + 10 * 86_400_000;
    // Ids of the arrival (a slow body: the row minutes later) or of a clock stepped back.
    const skews = [
      0,
      -(ROW_AFTER_ID_MAX_MS - MINUTE),
      ID_AFTER_ROW_MAX_MS - MINUTE,
      -3 * MINUTE,
      2 * MINUTE,
    ];
    for (let i = 0; i < 40; i += 1) {
      const createdAt = at + i * MINUTE;
      await write(A, `TIME${i}`, createdAt, newRequestId(createdAt + skews[i % skews.length]!));
    }
    const timed = written.filter((w) => w.tradeNo.startsWith('TIME'));
    for (const [from, to] of [
      [at, at + 40 * MINUTE],
      [at + 5 * MINUTE, at + 6 * MINUTE],
      [at + 7 * MINUTE, at + 31 * MINUTE],
      [at + 39 * MINUTE, at + 39 * MINUTE + 1],
      [at - 86_400_000, at],
    ] as const) {
      const expected = newestFirst(timed.filter((w) => w.createdAt >= from && w.createdAt < to));
      expect(ids(await ledger.list({ companyId: A, from, to, limit: 100 }))).toEqual(expected);
      // A page at a time, as the console and the CSV walk it.
      const walked: string[] = [];
      let before: string | undefined;
      for (;;) {
        const page = await ledger.list({
          companyId: A,
          from,
          to,
          limit: 3,
          ...(before ? { before } : {}),
        });
        walked.push(...ids(page));
        if (page.length < 3) break;
        before = page[2]!.requestId;
      }
      expect(walked).toEqual(expected);
    }
    expect(ids(await ledger.list({ companyId: A, from: at + 20 * MINUTE, limit: 100 }))).toEqual(
      newestFirst(timed.filter((w) => w.createdAt >= at + 20 * MINUTE)),
    );
    expect(ids(await ledger.list({ companyId: null, to: at + 2 * MINUTE, limit: 100 }))).toEqual(
      newestFirst(written.filter((w) => w.createdAt < at + 2 * MINUTE)),
    );
  });

  it('plans: newest first, by company, state, store, time and prefix, straight from an index', async () => {
    await write(A, 'PLAN1', T0 + 20, undefined, 'declined');
    const cursor = written[0]!.requestId;
    const shapes: [string, LedgerFilter, PrefixPlan, RegExp[]][] = [
      ['newest', { companyId: A, limit: 51 }, 'filter', [/transactions_company_newest/]],
      [
        'cursor',
        { companyId: A, before: cursor, limit: 51 },
        'filter',
        [/transactions_company_newest \(company_id=\? AND request_id<\?\)/],
      ],
      [
        'state',
        { companyId: A, state: 'declined', limit: 51 },
        'filter',
        [/transactions_company_state \(company_id=\? AND state=\?\)/],
      ],
      [
        'store',
        { companyId: A, storeId: '0001', limit: 51 },
        'filter',
        [/transactions_company_store \(company_id=\? AND store_id=\?\)/],
      ],
      [
        'time',
        { companyId: A, from: T0, to: T0 + 86_400_000, limit: 1000 },
        'filter',
        [/transactions_company_newest \(company_id=\? AND request_id>\? AND request_id<\?\)/],
      ],
      [
        'state and time',
        { companyId: A, state: 'declined', from: T0, limit: 1000 },
        'filter',
        [/transactions_company_state \(company_id=\? AND state=\? AND request_id>\?\)/],
      ],
      [
        'prefix, few matches',
        { companyId: A, q: 'AB', limit: 51 },
        'matches-first',
        [
          /transactions_trade_no \(company_id=\? AND merchant_trade_no>\? AND merchant_trade_no<\?\)/,
          /transactions_company_newest \(company_id=\? AND request_id>\? AND request_id<\?\)/,
          /SCAN matching/,
        ],
      ],
      ['prefix, many matches', { companyId: A, q: 'A', limit: 51 }, 'filter', [/company_newest/]],
      ['every company', { companyId: null, limit: 51 }, 'filter', [/SCAN transactions USING/]],
    ];
    if (TEST_BACKEND === 'sqlite') {
      const file = new SQLite(url, { readonly: true });
      try {
        const plan = (query: Compilable) => {
          const compiled = query.compile();
          return file.prepare(`explain query plan ${compiled.sql}`).all(...compiled.parameters) as {
            parent: number;
            detail: string;
          }[];
        };
        for (const [name, filter, prefixPlan, expected] of shapes) {
          const steps = plan(listQuery(handle.db, filter, { timeOrderedIds: true, prefixPlan }));
          const text = steps.map((s) => s.detail).join('\n');
          for (const pattern of expected) expect(text, name).toMatch(pattern);
          // Never a sort of the company's rows (a prefix's few matches: only their ids).
          expect(
            steps.filter((s) => s.parent === 0 && /TEMP B-TREE/.test(s.detail)),
            `${name}\n${text}`,
          ).toEqual([]);
          expect(text, name).not.toMatch(/^SCAN transactions$/m);
        }
        // The probe that picks a prefix's plan counts in the index alone.
        for (const column of ['merchant_trade_no', 'request_id'] as const) {
          expect(
            plan(prefixCountQuery(handle.db, A, column, 'AB'))
              .map((s) => s.detail)
              .join('\n'),
          ).toMatch(/USING COVERING INDEX/);
        }
        expect(plan(legacyIdQuery(handle.db)).map((s) => s.detail)).toEqual([
          'SCAN transactions USING COVERING INDEX transactions_legacy_ids',
        ]);
      } finally {
        file.close();
      }
    } else {
      expect(handle.db.getExecutor().adapter).toBeInstanceOf(PostgresAdapter);
      // On a handful of rows PostgreSQL rightly prefers a sequential scan and a sort;
      // with both priced out, a plan without them shows that an index gives the order.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('set enable_seqscan = off');
        await client.query('set enable_sort = off');
        await client.query('set enable_bitmapscan = off');
        for (const [name, filter, , expected] of shapes) {
          if (filter.q !== undefined) continue;
          const compiled = listQuery(handle.db, filter, { timeOrderedIds: true }).compile();
          const text = (
            await client.query<{ 'QUERY PLAN': string }>(
              `explain ${compiled.sql}`,
              compiled.parameters as unknown[],
            )
          ).rows
            .map((r) => r['QUERY PLAN'])
            .join('\n');
          expect(text, name).not.toMatch(/Sort|Seq Scan/);
          const index = /transactions_\w+/.exec(expected[0]!.source)?.[0] ?? 'transactions_pkey';
          expect(text, name).toMatch(new RegExp(`Index Scan Backward using ${index}`));
        }
        // A prefix is a range of ids and order numbers compared byte by byte, whatever
        // the database's locale (PostgreSQL's planner picks its plan by its statistics:
        // the bench measures it on a million rows).
        const collations = await client.query<{ column_name: string; collation_name: string }>(
          `select column_name, collation_name from information_schema.columns
           where table_name = 'transactions' and column_name in ('request_id', 'merchant_trade_no')
           order by column_name`,
        );
        expect(collations.rows).toEqual([
          { column_name: 'merchant_trade_no', collation_name: 'C' },
          { column_name: 'request_id', collation_name: 'C' },
        ]);
      } finally {
        await client.end();
      }
    }
  });

  it('a row from before UUIDv7 ids (0003) is still found by a time range', async () => {
    // A round-1 id: random, its first bits no time at all.
    const legacy = 'ffffffff-0000-4000-8000-000000000001';
    await write(A, 'LEGACY1', T0 + 30 * 86_400_000, legacy);
    const fresh = new TransactionLedger(handle.db, 'instance-b', handle.statements);
    const found = await fresh.list({
      companyId: A,
      from: T0 + 29 * 86_400_000,
      to: T0 + 31 * 86_400_000,
      limit: 10,
    });
    expect(ids(found)).toEqual([legacy]);
    await sql`delete from transactions where request_id = ${legacy}`.execute(
      handle.db as unknown as Kysely<unknown>,
    );
  });
});
