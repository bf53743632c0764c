import { type ExpressionBuilder, type Selectable, sql } from 'kysely';
import type { Db } from './database.js';
import { outboxEvent, updateWithEvent } from './outbox.js';
import type { RequestStatements } from './statements.js';
import type { Database, TransactionsTable } from './schema.js';

export type TransactionState =
  'pending' | 'succeeded' | 'declined' | 'rejected' | 'failed' | 'unknown';

export interface TransactionOpening {
  requestId: string;
  companyId: string;
  clientId: string;
  operation: string;
  type: string | null;
  env: string | null;
  scenario: string | null;
  storeId: string | null;
  /** The stored credential the call used, when it used one (the wallet's storedCredentialId). */
  credentialId: string | null;
  /** The merchant's account at the wallet (the wallet's accountId). */
  accountId: string | null;
  merchantTradeNo: string | null;
  /** What the call asks to move, in whole units of `currency` (pay, refund). */
  amount?: number | null;
  currency?: string | null;
  /** For a refund: the payment's MerchantTradeNo. */
  originalTradeNo?: string | null;
}

export interface TransactionOutcome {
  state: Exclude<TransactionState, 'pending'>;
  /** For `unknown`: when the reconciler first asks the wallet. */
  nextCheckAt?: number | null;
  rtnCode?: number | null;
  rtnMsg?: string | null;
  errorCode?: string | null;
  httpStatus?: number | null;
  upstreamLatencyMs?: number | null;
  /** The upstream's id of the trade the call made, when the answer gave one. */
  upstreamId?: string | null;
  /**
   * False for a call that changes nothing (a search): its row sends no webhook
   * event. Rejected calls (validation) never send one either.
   */
  announce?: boolean;
}

export interface TransactionRecord extends TransactionOpening {
  amount: number | null;
  currency: string | null;
  originalTradeNo: string | null;
  upstreamId: string | null;
  state: TransactionState;
  checkAttempts: number;
  nextCheckAt: number | null;
  rtnCode: number | null;
  rtnMsg: string | null;
  errorCode: string | null;
  httpStatus: number | null;
  upstreamLatencyMs: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What the operators' transaction list filters by (every field optional). */
export interface LedgerFilter {
  /** null: every company (a platform user). */
  companyId: string | null;
  from?: number;
  to?: number;
  state?: string;
  operation?: string;
  type?: string;
  env?: string;
  storeId?: string;
  /** A prefix of the order number (MerchantTradeNo, orderId) or of the request id. */
  q?: string;
  /** Rows older than this request id (the previous page's last): stable under inserts. */
  before?: string;
  limit: number;
}

export interface ReconciliationAttempt {
  attempt: number;
  at: number;
  outcome: string;
  rtnCode: number | null;
  tradeStatus: string | null;
  result: string;
}

/** toRow's columns in its order, then the opening's own. */
const OPEN_SQL =
  'insert into transactions (request_id, company_id, client_id, operation, type, env, scenario, ' +
  'store_id, credential_id, account_id, merchant_trade_no, amount, currency, original_trade_no, ' +
  'state, instance_id, created_at, updated_at) ' +
  "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)";

/** outcomeColumns' columns in its order, then the time and the row. */
const COMPLETE_SQL =
  'update transactions set state = ?, next_check_at = ?, rtn_code = ?, rtn_msg = ?, error_code = ?, ' +
  'http_status = ?, upstream_latency_ms = ?, upstream_id = ?, updated_at = ? where request_id = ?';

/**
 * Every authenticated Integrate call, written before anything goes upstream and
 * completed after. It holds identifiers and outcomes only: never a key or secret.
 */
export class TransactionLedger {
  #allIdsTimeOrdered = false;

  constructor(
    private readonly db: Db,
    /** This process: rows it leaves `pending` when it dies are recognisable. */
    readonly instanceId: string,
    private readonly statements: RequestStatements,
  ) {}

  /** The durable `pending` row: committed and flushed to disk (fsync) before this resolves. */
  async open(t: TransactionOpening, now = Date.now()): Promise<void> {
    await this.statements.runDurably(OPEN_SQL, [
      ...Object.values(toRow(t)),
      this.instanceId,
      now,
      now,
    ]);
  }

  /**
   * `pending` rows whose process is gone become `unknown`, due for a check now:
   * rows of other instances only once older than `staleBefore`, rows of this
   * instance (a shutdown deadline) at once when `ownToo` is set.
   */
  async recoverPending(options: {
    staleBefore: number;
    ownToo?: boolean;
    now?: number;
  }): Promise<number> {
    const now = options.now ?? Date.now();
    // Each row moved gets its transaction.unknown event in the same transaction.
    return this.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('transactions')
        .set({ state: 'unknown', error_code: 'interrupted', next_check_at: now, updated_at: now })
        .where('state', '=', 'pending')
        .where((eb) =>
          options.ownToo
            ? eb.or([
                eb('updated_at', '<', options.staleBefore),
                eb('instance_id', '=', this.instanceId),
              ])
            : eb('updated_at', '<', options.staleBefore),
        )
        .returning('request_id')
        .execute();
      for (const { request_id } of moved) {
        const event = outboxEvent(request_id, true, now);
        await trx.executeQuery(this.statements.compiled(event.text, event.params));
      }
      return moved.length;
    });
  }

  /**
   * Claims up to `limit` unknown rows that are due. A claim is one conditional
   * UPDATE, so two reconcilers (two instances) never hold the same row at once.
   */
  async claimDue(now: number, leaseMs: number, limit: number): Promise<TransactionRecord[]> {
    const candidates = await this.db
      .selectFrom('transactions')
      .select('request_id')
      .where('state', '=', 'unknown')
      .where('next_check_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('next_check_at')
      .limit(limit)
      .execute();
    const claimed: TransactionRecord[] = [];
    for (const { request_id } of candidates) {
      const result = await this.db
        .updateTable('transactions')
        .set({ claimed_until: now + leaseMs })
        .where('request_id', '=', request_id)
        .where('state', '=', 'unknown')
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) continue;
      const row = await this.db
        .selectFrom('transactions')
        .selectAll()
        .where('request_id', '=', request_id)
        .executeTakeFirstOrThrow();
      claimed.push(fromRow(row));
    }
    return claimed;
  }

  /** Records one reconciliation attempt and the row's new state, releasing the claim. */
  /** Claims one `unknown` row now, due or not (an operator's "check now"); undefined when it cannot. */
  async claimNow(
    requestId: string,
    now: number,
    leaseMs: number,
  ): Promise<TransactionRecord | undefined> {
    const result = await this.db
      .updateTable('transactions')
      .set({ claimed_until: now + leaseMs })
      .where('request_id', '=', requestId)
      .where('state', '=', 'unknown')
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    return this.find(requestId);
  }

  async recordCheck(
    requestId: string,
    attempt: Omit<ReconciliationAttempt, 'at'>,
    next: {
      state: 'succeeded' | 'failed' | 'unknown';
      nextCheckAt: number | null;
      upstreamId?: string | null;
    },
    now = Date.now(),
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('reconciliation_attempts')
        .values({
          request_id: requestId,
          attempt: attempt.attempt,
          at: now,
          outcome: attempt.outcome,
          rtn_code: attempt.rtnCode,
          trade_status: attempt.tradeStatus,
          result: attempt.result,
        })
        .execute();
      const moved = await trx
        .updateTable('transactions')
        .set({
          state: next.state,
          next_check_at: next.nextCheckAt,
          check_attempts: attempt.attempt,
          claimed_until: null,
          updated_at: now,
          ...(next.upstreamId ? { upstream_id: next.upstreamId } : {}),
        })
        .where('request_id', '=', requestId)
        .where('state', '=', 'unknown')
        .executeTakeFirst();
      // Staying unknown is no new state: no event.
      if (Number(moved.numUpdatedRows) === 1 && next.state !== 'unknown') {
        const event = outboxEvent(requestId, true, now);
        await trx.executeQuery(this.statements.compiled(event.text, event.params));
      }
    });
  }

  async attempts(requestId: string): Promise<ReconciliationAttempt[]> {
    const rows = await this.db
      .selectFrom('reconciliation_attempts')
      .selectAll()
      .where('request_id', '=', requestId)
      .orderBy('attempt')
      .execute();
    return rows.map((r) => ({
      attempt: r.attempt,
      at: r.at,
      outcome: r.outcome,
      rtnCode: r.rtn_code,
      tradeStatus: r.trade_status,
      result: r.result,
    }));
  }

  /** Counts by state, for operators and the soak script. */
  async countByState(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('transactions')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  /** The `unknown` rows (over the partial index): how many, and the oldest's creation time. */
  async unknownBacklog(
    companyId?: string,
  ): Promise<{ count: number; oldestCreatedAt: number | null }> {
    let query = this.db
      .selectFrom('transactions')
      .select([
        (eb) => eb.fn.countAll<number>().as('n'),
        (eb) => eb.fn.min<number | null>('created_at').as('oldest'),
      ])
      .where('state', '=', 'unknown');
    if (companyId !== undefined) query = query.where('company_id', '=', companyId);
    const row = await query.executeTakeFirst();
    return {
      count: Number(row?.n ?? 0),
      oldestCreatedAt:
        row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest),
    };
  }

  async complete(requestId: string, outcome: TransactionOutcome, now = Date.now()): Promise<void> {
    const columns = [...Object.values(outcomeColumns(outcome)), now, requestId];
    if (outcome.announce === false) {
      await this.statements.run(COMPLETE_SQL, columns);
      return;
    }
    // The state change and its webhook event (transactional outbox), atomically: one
    // statement on PostgreSQL, one synchronous transaction on SQLite.
    const update = { text: COMPLETE_SQL, params: columns };
    if (this.statements.onPostgres) {
      const statement = updateWithEvent(update, requestId, false, now);
      await this.statements.run(statement.text, statement.params);
      return;
    }
    await this.statements.runAll([update, outboxEvent(requestId, false, now)]);
  }

  /** A call that ended before it could be opened upstream (validation): one write. */
  async record(
    t: TransactionOpening,
    outcome: TransactionOutcome,
    now = Date.now(),
  ): Promise<void> {
    const insert = (db: Db) =>
      db
        .insertInto('transactions')
        .values({ ...toRow(t), ...outcomeColumns(outcome), created_at: now, updated_at: now })
        .execute();
    // A validation refusal (`rejected`) or a search sends no event: a single insert.
    if (outcome.state === 'rejected' || outcome.announce === false) {
      await insert(this.db);
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await insert(trx);
      const event = outboxEvent(t.requestId, false, now);
      await trx.executeQuery(this.statements.compiled(event.text, event.params));
    });
  }

  /**
   * Newest first by request id (UUIDv7, so by time): keyset pagination, so a page
   * never repeats or skips a row when new ones arrive.
   */
  async list(filter: LedgerFilter): Promise<TransactionRecord[]> {
    const timed = filter.from !== undefined || filter.to !== undefined;
    const rows = await listQuery(this.db, filter, {
      timeOrderedIds: timed && (await this.#timeOrderedIds()),
      prefixPlan: await this.#prefixPlan(filter),
    }).execute();
    return rows.map(fromRow);
  }

  /**
   * A `q` prefix can match a handful of a company's rows (an order number) or most of
   * them (`T`): a few are best fetched by the prefix and sorted, many by reading the
   * company's rows newest first. Two index-only counts, capped, tell which. (SQLite has
   * no statistics; PostgreSQL's cannot tell that a day of order numbers is a year old,
   * and would walk the year from the newest row to reach it.)
   */
  async #prefixPlan(filter: LedgerFilter): Promise<PrefixPlan> {
    const { companyId, q } = filter;
    if (q === undefined || q === '' || companyId === null) return 'filter';
    let found = 0;
    for (const column of ['merchant_trade_no', 'request_id'] as const) {
      const row = await prefixCountQuery(this.db, companyId, column, q).executeTakeFirstOrThrow();
      found += Number(row.n);
      if (found > PREFIX_MATCHES_SORTED) return 'filter';
    }
    return 'matches-first';
  }

  /**
   * Whether every row's request id is a UUIDv7: asked once (over the partial index
   * transactions_legacy_ids, which holds the others) and remembered once true, as rows
   * written from now on are UUIDv7.
   */
  async #timeOrderedIds(): Promise<boolean> {
    if (this.#allIdsTimeOrdered) return true;
    const legacy = await legacyIdQuery(this.db).executeTakeFirst();
    this.#allIdsTimeOrdered = legacy === undefined;
    return this.#allIdsTimeOrdered;
  }

  /** The calls naming this order number as their original (a payment's refunds). */
  async refundsOf(companyId: string, tradeNo: string): Promise<TransactionRecord[]> {
    const rows = await this.db
      .selectFrom('transactions')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('original_trade_no', '=', tradeNo)
      .orderBy('request_id')
      .execute();
    return rows.map(fromRow);
  }

  /** A row by its request id whatever its company (the caller checks who may see it). */
  async find(requestId: string): Promise<TransactionRecord | undefined> {
    const row = await this.db
      .selectFrom('transactions')
      .selectAll()
      .where('request_id', '=', requestId)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async get(companyId: string, requestId: string): Promise<TransactionRecord | undefined> {
    const row = await this.db
      .selectFrom('transactions')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('request_id', '=', requestId)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /**
   * The succeeded pay with this order number, of the same company, type,
   * environment and merchant account: what a refund needs of its original.
   */
  async findPayment(key: PaymentKey): Promise<TransactionRecord | undefined> {
    const row = await this.#payments(key)
      .selectAll()
      .where('merchant_trade_no', '=', key.tradeNo)
      .where('operation', '=', 'pay')
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /**
   * What the ledger knows was refunded of a payment: the sum of its succeeded
   * refunds (every call naming it as its original: refunds, and a wallet's
   * cancel that is a full refund), and how many of them are still pending or unknown.
   */
  async refundedOf(key: PaymentKey): Promise<{ refunded: number; unsettled: number }> {
    const rows = await this.db
      .selectFrom('transactions')
      .select(['state', 'amount'])
      .where('company_id', '=', key.companyId)
      .where('original_trade_no', '=', key.tradeNo)
      .where('type', '=', key.type)
      .where('env', '=', key.env)
      .where('account_id', '=', key.accountId)
      .where('state', 'in', ['succeeded', 'pending', 'unknown'])
      .execute();
    let refunded = 0;
    let unsettled = 0;
    for (const r of rows) {
      if (r.state === 'succeeded') refunded += Number(r.amount ?? 0);
      else unsettled += 1;
    }
    return { refunded, unsettled };
  }

  /**
   * The upstream ids that succeeded calls naming this payment as their original
   * (its refunds) already account for, but for `exceptRequestId`'s own.
   */
  async claimedUpstreamIds(key: PaymentKey, exceptRequestId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('transactions')
      .select('upstream_id')
      .where('company_id', '=', key.companyId)
      .where('original_trade_no', '=', key.tradeNo)
      .where('type', '=', key.type)
      .where('env', '=', key.env)
      .where('account_id', '=', key.accountId)
      .where('state', '=', 'succeeded')
      .where('upstream_id', 'is not', null)
      .where('request_id', '!=', exceptRequestId)
      .execute();
    return rows.map((r) => r.upstream_id!);
  }

  #payments(key: PaymentKey) {
    return this.db
      .selectFrom('transactions')
      .where('company_id', '=', key.companyId)
      .where('type', '=', key.type)
      .where('env', '=', key.env)
      .where('account_id', '=', key.accountId)
      .where('state', '=', 'succeeded');
  }

  async findByTradeNo(companyId: string, merchantTradeNo: string): Promise<TransactionRecord[]> {
    const rows = await this.db
      .selectFrom('transactions')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('merchant_trade_no', '=', merchantTradeNo)
      .orderBy('created_at')
      .limit(100)
      .execute();
    return rows.map(fromRow);
  }
}

/**
 * Request ids are UUIDv7 (src/core/ids.ts) but for rows written before migration 0003
 * (UUIDv4): this LIKE pattern (`_` any one character) matches the time-ordered ones.
 */
export const UUIDV7_PATTERN = '________-____-7%';

/**
 * How far a row's creation time can be from its request id's time, for a time range to
 * be read as a request-id range. The id is made when the request arrives, the row once
 * its body has been read and checked: later by milliseconds, or by as long as a client
 * takes to trickle its body in, which the HTTP server cuts off after 60 s
 * (`requestTimeout`, src/http/app.ts). The id is later only if the clock stepped back.
 */
export const ROW_AFTER_ID_MAX_MS = 15 * 60_000;
export const ID_AFTER_ROW_MAX_MS = 5 * 60_000;

/** The smallest UUIDv7 text of this millisecond or later: its time field, `xxxxxxxx-xxxx`. */
export function requestIdTimePrefix(ms: number): string {
  const clamped = Math.min(Math.max(Math.floor(ms), 0), 2 ** 48 - 1);
  const hex = clamped.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}`;
}

/**
 * The least string above every string that starts with `prefix`, comparing code
 * points (SQLite's BINARY, PostgreSQL's "C"): the prefix with its last code point
 * incremented. Null when there is none (the prefix is all U+10FFFF).
 */
export function prefixEnd(prefix: string): string | null {
  const points = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < 0x10ffff) {
      // Surrogate code points never occur in text: after U+D7FF comes U+E000.
      points.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return null;
}

/**
 * How the list finds the rows a `q` prefix matches: `matches-first` fetches them by
 * the order-number and request-id indexes, then sorts them; `filter` states the prefix
 * as a condition of the company's rows read newest first (the database may still
 * choose otherwise: PostgreSQL by its statistics).
 */
export type PrefixPlan = 'matches-first' | 'filter';

/** Up to this many rows matching a `q` prefix are fetched by the prefix, then sorted. */
export const PREFIX_MATCHES_SORTED = 2_000;

/** The `q` prefix as a range of `column`: exactly the values that start with it. */
function prefixRange(
  eb: ExpressionBuilder<Database, 'transactions'>,
  column: 'merchant_trade_no' | 'request_id',
  q: string,
) {
  const from = q.toWellFormed();
  const to = prefixEnd(from);
  return to === null
    ? eb(column, '>=', from)
    : eb.and([eb(column, '>=', from), eb(column, '<', to)]);
}

/** One row whose request id is not a UUIDv7, if any: over the partial index of 0008. */
export function legacyIdQuery(db: Db) {
  return db
    .selectFrom('transactions')
    .select('request_id')
    .where('request_id', 'not like', sql.lit(UUIDV7_PATTERN))
    .limit(1);
}

/** How many of a company's rows `column` starts with `q`, counted up to one past the cap. */
export function prefixCountQuery(
  db: Db,
  companyId: string,
  column: 'merchant_trade_no' | 'request_id',
  q: string,
) {
  return db
    .selectFrom((inner) =>
      inner
        .selectFrom('transactions')
        .select('company_id')
        .where('company_id', '=', companyId)
        .where((eb) => prefixRange(eb, column, q))
        .limit(PREFIX_MATCHES_SORTED + 1)
        .as('matching'),
    )
    .select((eb) => eb.fn.countAll<number | string>().as('n'));
}

/**
 * The list's query (`list` runs it; test/store/ledger-list.test.ts reads its plans):
 * every filter as an index range where an index of migration 0008 serves it.
 * `timeOrderedIds`: every row's request id is a UUIDv7, so a time range is also a
 * request-id range (with the margins above), read from the same index as the order.
 * `prefixPlan`: see `PrefixPlan` (default `filter`).
 */
export function listQuery(
  db: Db,
  filter: LedgerFilter,
  options: { timeOrderedIds: boolean; prefixPlan?: PrefixPlan },
) {
  let query = db.selectFrom('transactions').selectAll();
  const { companyId, q } = filter;
  if (companyId !== null) query = query.where('company_id', '=', companyId);
  if (filter.from !== undefined) {
    query = query.where('created_at', '>=', filter.from);
    if (options.timeOrderedIds)
      query = query.where(
        'request_id',
        '>=',
        requestIdTimePrefix(filter.from - ROW_AFTER_ID_MAX_MS),
      );
  }
  if (filter.to !== undefined) {
    query = query.where('created_at', '<', filter.to);
    if (options.timeOrderedIds)
      query = query.where('request_id', '<', requestIdTimePrefix(filter.to + ID_AFTER_ROW_MAX_MS));
  }
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  if (filter.operation !== undefined) query = query.where('operation', '=', filter.operation);
  if (filter.type !== undefined) query = query.where('type', '=', filter.type);
  if (filter.env !== undefined) query = query.where('env', '=', filter.env);
  if (filter.storeId !== undefined) query = query.where('store_id', '=', filter.storeId);
  if (filter.before !== undefined) query = query.where('request_id', '<', filter.before);
  if (q === undefined || q === '') return query.orderBy('request_id', 'desc').limit(filter.limit);
  // Case-sensitive, and `%` and `_` are characters like any other.
  query = query.where((eb) =>
    eb.or([prefixRange(eb, 'merchant_trade_no', q), prefixRange(eb, 'request_id', q)]),
  );
  if (options.prefixPlan !== 'matches-first') {
    return query.orderBy('request_id', 'desc').limit(filter.limit);
  }
  // The matching rows' ids first (a materialized CTE: neither database may turn this
  // into a walk of the company's rows in order), then the newest of those rows.
  return db
    .with(
      (cte) => cte('matching').materialized(),
      () => query.clearSelect().select('request_id'),
    )
    .selectFrom('transactions')
    .selectAll()
    .where('request_id', 'in', (eb) => eb.selectFrom('matching').select('request_id'))
    .orderBy('request_id', 'desc')
    .limit(filter.limit);
}

/** A payment of one merchant account: what a refund names as its original. */
export interface PaymentKey {
  companyId: string;
  type: string;
  env: string;
  accountId: string;
  tradeNo: string;
}

/** The opening's columns; OPEN_SQL lists them in this order. */
function toRow(t: TransactionOpening) {
  return {
    request_id: t.requestId,
    company_id: t.companyId,
    client_id: t.clientId,
    operation: t.operation,
    type: t.type,
    env: t.env,
    scenario: t.scenario,
    store_id: t.storeId,
    credential_id: t.credentialId,
    account_id: t.accountId,
    merchant_trade_no: t.merchantTradeNo,
    amount: t.amount ?? null,
    currency: t.currency ?? null,
    original_trade_no: t.originalTradeNo ?? null,
  };
}

/** The outcome's columns; COMPLETE_SQL lists them in this order. */
function outcomeColumns(o: TransactionOutcome) {
  return {
    state: o.state,
    next_check_at: o.nextCheckAt ?? null,
    rtn_code: o.rtnCode ?? null,
    rtn_msg: o.rtnMsg ?? null,
    error_code: o.errorCode ?? null,
    http_status: o.httpStatus ?? null,
    upstream_latency_ms: o.upstreamLatencyMs ?? null,
    upstream_id: o.upstreamId ?? null,
  };
}

/** A transactions row as the database returns it. */
type Row = Selectable<TransactionsTable>;

function fromRow(r: Row): TransactionRecord {
  return {
    requestId: r.request_id,
    companyId: r.company_id,
    clientId: r.client_id,
    operation: r.operation,
    type: r.type,
    env: r.env,
    scenario: r.scenario,
    storeId: r.store_id,
    credentialId: r.credential_id,
    accountId: r.account_id,
    merchantTradeNo: r.merchant_trade_no,
    state: r.state as TransactionState,
    checkAttempts: Number(r.check_attempts),
    nextCheckAt: r.next_check_at,
    rtnCode: r.rtn_code,
    rtnMsg: r.rtn_msg,
    errorCode: r.error_code,
    httpStatus: r.http_status,
    upstreamLatencyMs: r.upstream_latency_ms,
    amount: r.amount === null ? null : Number(r.amount),
    currency: r.currency,
    originalTradeNo: r.original_trade_no,
    upstreamId: r.upstream_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
