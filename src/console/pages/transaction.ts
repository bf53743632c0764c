import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, newIdempotencyKey } from '../api.js';
import { formatMoney, formatMs } from '../format.js';
import { t, tOr } from '../i18n.js';
import { href } from '../router.js';
import { can, useConsole } from '../state.js';
import type { AdminRow, MoneyActionAnswer, TransactionDetail } from '../types.js';
import {
  BackLink,
  Facts,
  Money,
  PageHead,
  StateBadge,
  Time,
  envName,
  operationName,
  typeName,
} from '../ui/bits.js';
import { type ConfirmText, useConfirm } from '../ui/dialog.js';
import { useLoad } from '../ui/load.js';
import { ErrorBox, Loading } from '../ui/states.js';

type Action =
  | { kind: 'refund'; amount: number; key: string }
  | { kind: 'cancel'; key: string }
  | { kind: 'check' };

interface Outcome {
  text: string;
  ok: boolean;
  newRow?: string;
}

interface TimelineEvent {
  at: number;
  text: string;
  link?: string;
  state?: string;
}

const ms = (at: number | string): number => (typeof at === 'number' ? at : Date.parse(at));

/** Everything that happened to the call, oldest first. */
function timeline(d: TransactionDetail): TimelineEvent[] {
  const money = (r: AdminRow) => formatMoney(r.amount, r.currency);
  const events: TimelineEvent[] = [
    {
      at: ms(d.created_at),
      text: t('detail.tl.created', {
        operation:
          d.amount === null
            ? operationName(d.operation)
            : `${operationName(d.operation)} ${money(d)}`,
        state: tOr(`state.${d.state}`, d.state),
      }),
      state: d.state,
    },
  ];
  for (const a of d.timeline.reconciliation) {
    events.push({
      at: ms(a.at),
      text: t('detail.tl.attempt', {
        attempt: a.attempt,
        outcome: a.outcome,
        result: tOr(`state.${a.result}`, a.result),
      }),
    });
  }
  for (const r of d.timeline.refunds) {
    events.push({
      at: ms(r.created_at),
      text: t('detail.tl.refund', {
        operation: operationName(r.operation),
        amount: money(r),
        state: tOr(`state.${r.state}`, r.state),
      }),
      link: r.request_id,
      state: r.state,
    });
  }
  for (const o of d.timeline.original) {
    events.push({
      at: ms(o.created_at),
      text: t('detail.tl.original', {
        tradeNo: o.trade_no ?? '',
        amount: money(o),
        state: tOr(`state.${o.state}`, o.state),
      }),
      link: o.request_id,
      state: o.state,
    });
  }
  for (const e of d.timeline.audit) {
    events.push({ at: ms(e.at), text: t('detail.tl.audit', { action: e.action, actor: e.actor }) });
  }
  return events.sort((a, b) => a.at - b.at);
}

/** The wallet's own fields of the row, scalars only. */
const rawFields = (tx: TransactionDetail['transaction']): [string, string][] =>
  Object.entries(tx)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => [k, String(v)]);

export function TransactionPage({ id }: { id: string }) {
  const state = useConsole();
  const loaded = useLoad(
    () => api.get<TransactionDetail>(`/transactions/${encodeURIComponent(id)}`),
    id,
  );
  const confirm = useConfirm<Action>();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [amountText, setAmountText] = useState<string>('');
  const [amountError, setAmountError] = useState<string | null>(null);

  const back = html`<${BackLink} to="/transactions" />`;
  if (loaded.error !== undefined && !loaded.data) {
    return html`<${PageHead} title=${t('detail.title')}>${back}<//
      ><${ErrorBox} error=${loaded.error} />`;
  }
  const d = loaded.data;
  if (!d) return html`<${PageHead} title=${t('detail.title')}>${back}<//><${Loading} />`;

  const tx = d.transaction;
  const isPay = d.operation === 'pay';
  const refundable = typeof tx.refundable_amount === 'number' ? tx.refundable_amount : 0;
  const operator = can(state.user, 'operator');
  const mayRefund = operator && isPay && d.state === 'succeeded' && refundable > 0;
  const mayCancel = operator && isPay && (d.state === 'succeeded' || d.state === 'unknown');
  const mayCheck = operator && d.state === 'unknown';
  const amountShown = amountText === '' ? String(refundable) : amountText;

  const startRefund = (event: SubmitEvent) => {
    event.preventDefault();
    const amount = Number(amountShown);
    if (!Number.isInteger(amount) || amount < 1 || amount > refundable) {
      setAmountError(t('detail.amountInvalid', { max: refundable }));
      return;
    }
    setAmountError(null);
    confirm.ask({ kind: 'refund', amount, key: newIdempotencyKey() });
  };

  const moneyDone = (answer: MoneyActionAnswer, label: string) => {
    const row = answer.transaction;
    setOutcome({
      ok: row.state === 'succeeded',
      text: t('detail.done', {
        operation: label,
        state: tOr(`state.${row.state}`, row.state),
        code: String(answer.answer?.code ?? row.error_code ?? ''),
        message: answer.answer?.message ?? '',
      }),
      newRow: row.request_id,
    });
    setAmountText('');
    loaded.reload();
  };

  const run = async (a: Action) => {
    const path = `/transactions/${encodeURIComponent(d.request_id)}`;
    if (a.kind === 'refund') {
      moneyDone(
        await api.send<MoneyActionAnswer>('POST', `${path}/refund`, { amount: a.amount }, a.key),
        t('op.refund'),
      );
    } else if (a.kind === 'cancel') {
      moneyDone(
        await api.send<MoneyActionAnswer>('POST', `${path}/cancel`, {}, a.key),
        t('op.cancel'),
      );
    } else {
      const row = await api.send<AdminRow>('POST', `${path}/check`, {});
      setOutcome({
        ok: row.state !== 'unknown',
        text: t('detail.checked', { state: tOr(`state.${row.state}`, row.state) }),
      });
      loaded.reload();
    }
  };

  const tradeNo = d.trade_no ?? d.request_id;
  const dialog = confirm.dialog((a): ConfirmText => {
    if (a.kind === 'refund') {
      const amount = formatMoney(a.amount, d.currency);
      return {
        title: t('detail.confirmRefund', { amount }),
        body: t('detail.confirmRefundBody', { amount, tradeNo }),
        confirmLabel: t('detail.refund'),
        danger: true,
      };
    }
    if (a.kind === 'cancel') {
      return {
        title: t('detail.confirmCancel'),
        body: t('detail.confirmCancelBody', { tradeNo, amount: formatMoney(d.amount, d.currency) }),
        confirmLabel: t('op.cancel'),
        danger: true,
      };
    }
    return { title: t('detail.confirmCheck'), body: t('detail.confirmCheckBody') };
  }, run);

  const facts: [string, unknown][] = [
    [t('detail.requestId'), html`<code>${d.request_id}</code>`],
    [t('tx.col.time'), html`<${Time} at=${d.created_at} />`],
    [t('tx.operation'), operationName(d.operation)],
    [t('tx.type'), `${typeName(d.type, state.wallets)} · ${envName(d.env)}`],
    [t('tx.store'), d.store_id ?? '—'],
    [t('tx.col.amount'), html`<${Money} amount=${d.amount} currency=${d.currency} />`],
    ...(isPay && typeof tx.refunded_amount === 'number'
      ? ([
          [t('detail.refunded'), formatMoney(tx.refunded_amount, d.currency)],
          [t('detail.refundable'), formatMoney(refundable, d.currency)],
        ] as [string, unknown][])
      : []),
    [t('detail.upstreamId'), d.upstream_id ?? '—'],
    [
      t('detail.original'),
      d.original_trade_no === null
        ? '—'
        : d.timeline.original[0]
          ? html`<a href=${href(`/transactions/${d.timeline.original[0].request_id}`)}
              >${d.original_trade_no}</a
            >`
          : d.original_trade_no,
    ],
    [t('detail.resultCode'), d.result_code ?? '—'],
    [t('detail.resultMessage'), d.result_message ?? '—'],
    [t('detail.errorCode'), d.error_code ?? '—'],
    [t('tx.col.latency'), formatMs(d.upstream_latency_ms)],
    ...(state.user.company_id === null
      ? ([[t('detail.company'), d.company_id]] as [string, unknown][])
      : []),
  ];

  const unsettled = typeof tx.refunds_unsettled === 'number' ? tx.refunds_unsettled : 0;
  const actions = operator
    ? html`<section class="panel" aria-labelledby="actions-title">
        <h2 id="actions-title">${t('detail.actions')}</h2>
        ${unsettled > 0 ? html`<p class="warn-text">${t('detail.unsettled', { count: unsettled })}</p>` : null}
        ${
          mayRefund
            ? html`<form class="inline-form" onSubmit=${startRefund} novalidate>
                <label for="refund-amount">${t('detail.refundAmount')}</label>
                <input
                  id="refund-amount"
                  name="amount"
                  type="number"
                  inputmode="numeric"
                  min="1"
                  max=${refundable}
                  step="1"
                  value=${amountShown}
                  onInput=${(e: InputEvent) => setAmountText((e.currentTarget as HTMLInputElement).value)}
                  aria-describedby=${amountError ? 'refund-error' : undefined}
                  aria-invalid=${amountError ? 'true' : undefined}
                />
                <button type="submit" class="danger" data-action="refund">
                  ${t('detail.refundButton')}
                </button>
                ${amountError ? html`<p id="refund-error" class="error-text">${amountError}</p>` : null}
              </form>`
            : null
        }
        <div class="actions left">
          ${
            mayCancel
              ? html`<button
                  type="button"
                  class="danger"
                  data-action="cancel"
                  onClick=${() => confirm.ask({ kind: 'cancel', key: newIdempotencyKey() })}
                >
                  ${t('detail.cancelButton')}
                </button>`
              : null
          }
          ${
            mayCheck
              ? html`<button
                  type="button"
                  class="secondary"
                  data-action="check"
                  onClick=${() => confirm.ask({ kind: 'check' })}
                >
                  ${t('detail.checkButton')}
                </button>`
              : null
          }
        </div>
        ${!mayRefund && !mayCancel && !mayCheck ? html`<p class="muted">${t('detail.noActions')}</p>` : null}
      </section>`
    : null;

  return html`<${PageHead}
      title=${`${t('detail.title')} · ${d.trade_no ?? d.request_id.slice(0, 13)}`}
      >${back}<//
    >
    ${
      outcome
        ? html`<div class=${outcome.ok ? 'notice ok' : 'notice warn'} role="status" data-outcome>
            <p>
              ${outcome.text}
              ${outcome.newRow ? html` · <a href=${href(`/transactions/${outcome.newRow}`)}>${t('detail.newRow')}</a>` : null}
            </p>
          </div>`
        : null
    }
    <div class="detail-grid">
      <section class="panel" aria-labelledby="facts-title">
        <h2 id="facts-title" class="with-badge">
          ${operationName(d.operation)}
          ${d.amount === null ? null : html`<${Money} amount=${d.amount} currency=${d.currency} />`}
          <${StateBadge} state=${d.state} />
        </h2>
        <${Facts} items=${facts} />
      </section>
      <div>
        ${actions}
        <section class="panel" aria-labelledby="timeline-title">
          <h2 id="timeline-title">${t('detail.timeline')}</h2>
          <ol class="timeline">
            ${timeline(d).map(
              (e) =>
                html`<li class=${e.state ? `tl-${e.state}` : ''}>
                  <${Time} at=${e.at} />
                  <p>
                    ${e.link ? html`<a href=${href(`/transactions/${e.link}`)}>${e.text}</a>` : e.text}
                  </p>
                </li>`,
            )}
          </ol>
        </section>
      </div>
    </div>
    <details class="panel">
      <summary>${t('detail.raw')}</summary>
      <${Facts} items=${rawFields(tx)} mono />
    </details>
    ${dialog}`;
}
