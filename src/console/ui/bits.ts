import { html } from '../html.js';
import { formatMoney, formatTime } from '../format.js';
import { t, tOr } from '../i18n.js';
import { href } from '../router.js';
import type { Wallet } from '../types.js';

export const StateBadge = ({ state }: { state: string }) =>
  html`<span class="badge state-${state}">${tOr(`state.${state}`, state)}</span>`;

export const Money = ({ amount, currency }: { amount: number | null; currency?: string | null }) =>
  html`<span class="money">${formatMoney(amount, currency ?? 'TWD')}</span>`;

export const Time = ({ at }: { at: string | number | null }) =>
  at === null
    ? html`<span class="muted">—</span>`
    : html`<time datetime=${new Date(at).toISOString()}>${formatTime(at)}</time>`;

export const operationName = (operation: string): string => tOr(`op.${operation}`, operation);
export const envName = (env: string | null): string =>
  env === null ? '—' : tOr(`env.${env}`, env);

/** A payment type's display name from GET /wallets, or the type itself. */
export const typeName = (type: string | null, wallets: Wallet[] | null): string =>
  type === null ? '—' : (wallets?.find((w) => w.type === type)?.display_name ?? type);

/** A label and its control, stacked; `hint` under it. */
export const Field = (props: { label: string; id: string; hint?: string; children: unknown }) =>
  html`<div class="field">
    <label for=${props.id}>${props.label}</label>
    ${props.children} ${props.hint ? html`<p class="hint">${props.hint}</p>` : null}
  </div>`;

export const PageHead = (props: { title: string; children?: unknown }) =>
  html`<div class="page-head">
    <h1 tabindex="-1">${props.title}</h1>
    ${props.children ?? null}
  </div>`;

/** The way back to the list a page belongs to. */
export const BackLink = ({ to }: { to: string }) =>
  html`<a class="button secondary" href=${href(to)}>← ${t('app.back')}</a>`;

/** Labelled values, a label above its value; `mono`: in a fixed-width font (raw fields). */
export const Facts = (props: { items: [label: string, value: unknown][]; mono?: boolean }) =>
  html`<dl class=${props.mono ? 'facts mono' : 'facts'}>
    ${props.items.map(
      ([label, value]) =>
        html`<div>
          <dt>${label}</dt>
          <dd>${value}</dd>
        </div>`,
    )}
  </dl>`;

export const none = () => t('app.none');
