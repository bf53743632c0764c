import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, type Query } from '../api.js';
import { formatClock, formatMs, taiwanDayStart } from '../format.js';
import { t } from '../i18n.js';
import { href, navigate, type Route } from '../router.js';
import { scopeQuery, useConsole } from '../state.js';
import { OPERATIONS, TX_STATES, type AdminRow, type Page } from '../types.js';
import {
  Field,
  Money,
  PageHead,
  StateBadge,
  Time,
  envName,
  operationName,
  typeName,
} from '../ui/bits.js';
import { useLoad } from '../ui/load.js';
import { FilterForm } from '../ui/forms.js';
import { errorText } from '../ui/states.js';
import { DataTable } from '../ui/table.js';

const FILTERS = ['from', 'to', 'state', 'operation', 'type', 'env', 'store_id', 'q'] as const;
const REFRESH_MS = 15_000;
const AUTO_KEY = 'omnigate.console.autorefresh';

/** The API's query from the page's: dates (Taiwan days) become instants. */
function apiQuery(q: Record<string, string>): Query {
  const out: Query = {};
  for (const name of FILTERS) {
    const value = q[name];
    if (value === undefined || value === '') continue;
    if (name === 'from') out.from = taiwanDayStart(value) ?? undefined;
    else if (name === 'to') out.to = taiwanDayStart(value, 1) ?? undefined;
    else out[name] = value;
  }
  return out;
}

function autoRefreshStored(): boolean {
  try {
    return localStorage.getItem(AUTO_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function Transactions({ route }: { route: Route }) {
  const state = useConsole();
  const q = route.query;
  const cursor = q.cursor ?? '';
  const filters: Record<string, string> = {};
  for (const name of FILTERS) if (q[name]) filters[name] = q[name]!;
  const query = { ...apiQuery(filters), ...scopeQuery(state) };
  const key = JSON.stringify([query, cursor]);
  const loaded = useLoad(
    () => api.get<Page<AdminRow>>('/transactions', { ...query, cursor, limit: 50 }),
    key,
  );
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  useEffect(() => {
    if (loaded.data && !loaded.loading) setUpdatedAt(Date.now());
  }, [loaded.data, loaded.loading]);

  // Previous pages' cursors, to walk back; a bookmarked later page offers the newest page.
  const [history, setHistory] = useState<string[]>([]);
  const filterKey = JSON.stringify(filters);
  useEffect(() => setHistory([]), [filterKey]);

  const [auto, setAuto] = useState(autoRefreshStored);
  useEffect(() => {
    if (!auto || cursor !== '') return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible' && !document.querySelector('dialog[open]')) {
        loaded.reload();
      }
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [auto, cursor, loaded.reload]);
  const toggleAuto = (event: Event) => {
    const on = (event.currentTarget as HTMLInputElement).checked;
    setAuto(on);
    try {
      localStorage.setItem(AUTO_KEY, on ? 'on' : 'off');
    } catch {
      // Not stored: the choice lasts for this page.
    }
  };

  const older = (next: string) => {
    setHistory((h) => [...h, cursor]);
    navigate('/transactions', { ...filters, cursor: next });
  };
  const newer = () => {
    const previous = history[history.length - 1] ?? '';
    setHistory((h) => h.slice(0, -1));
    navigate('/transactions', { ...filters, cursor: previous });
  };

  const select = (name: string, label: string, options: [string, string][]) =>
    html`<${Field} label=${label} id=${`f-${name}`}>
      <select id=${`f-${name}`} name=${name}>
        <option value="">${t('tx.any')}</option>
        ${options.map(([value, text]) => html`<option value=${value} selected=${q[name] === value}>${text}</option>`)}
      </select>
    <//>`;
  const text = (name: string, label: string, type = 'text') =>
    html`<${Field} label=${label} id=${`f-${name}`}>
      <input
        id=${`f-${name}`}
        name=${name}
        type=${type}
        value=${q[name] ?? ''}
        autocomplete="off"
      />
    <//>`;

  const filterForm = html`<${FilterForm}
    path="/transactions"
    names=${FILTERS}
    key=${filterKey}
    label=${t('tx.filters')}
  >
    ${text('from', t('tx.from'), 'date')} ${text('to', t('tx.to'), 'date')}
    ${select(
      'state',
      t('tx.state'),
      TX_STATES.map((s) => [s, t(`state.${s}`)]),
    )}
    ${select(
      'operation',
      t('tx.operation'),
      OPERATIONS.map((o) => [o, operationName(o)]),
    )}
    ${
      state.wallets
        ? select(
            'type',
            t('tx.type'),
            state.wallets.map((w) => [w.type, w.display_name]),
          )
        : text('type', t('tx.type'))
    }
    ${select('env', t('tx.env'), [
      ['test', envName('test')],
      ['prod', envName('prod')],
    ])}
    ${text('store_id', t('tx.store'))} ${text('q', t('tx.q'), 'search')}
  <//>`;

  const nextCursor = loaded.data?.next_cursor ?? null;
  const table = html`<${DataTable}
    loaded=${loaded}
    empty=${Object.keys(filters).length > 0 ? t('tx.empty') : t('tx.emptyAll')}
    columns=${[
      t('tx.col.time'),
      t('tx.col.tradeNo'),
      t('tx.operation'),
      t('tx.type'),
      t('tx.store'),
      { label: t('tx.col.amount'), class: 'num' },
      t('tx.state'),
      { label: t('tx.col.result'), class: 'hide-narrow' },
      { label: t('tx.col.latency'), class: 'num hide-narrow' },
    ]}
    row=${(r: AdminRow) =>
      html`<tr key=${r.request_id} data-request-id=${r.request_id}>
        <td class="nowrap"><${Time} at=${r.created_at} /></td>
        <td class="break">
          <a href=${href(`/transactions/${r.request_id}`)}
            >${r.trade_no ?? r.request_id.slice(0, 13)}</a
          >
        </td>
        <td>${operationName(r.operation)}</td>
        <td>
          ${typeName(r.type, state.wallets)}
          <div class="muted small">${envName(r.env)}</div>
        </td>
        <td>${r.store_id ?? '—'}</td>
        <td class="num"><${Money} amount=${r.amount} currency=${r.currency} /></td>
        <td><${StateBadge} state=${r.state} /></td>
        <td class="hide-narrow small result">
          ${[r.result_code, r.result_message].filter((v) => v !== null).join(' ')}
        </td>
        <td class="num hide-narrow">${formatMs(r.upstream_latency_ms)}</td>
      </tr>`}
  />`;

  return html`<${PageHead} title=${t('tx.title')}>
      <div class="head-actions">
        <label class="check">
          <input type="checkbox" checked=${auto} onChange=${toggleAuto} />
          ${t('tx.autoRefresh')}
        </label>
        <a
          class="button secondary"
          href=${api.url('/transactions.csv', query)}
          download="transactions.csv"
          data-export
        >
          ${t('tx.export')}
        </a>
      </div>
    <//>
    ${filterForm}
    <p class="muted small" aria-live="polite">
      ${updatedAt === null ? '' : t('tx.updated', { time: formatClock(updatedAt) })}
      ${
        loaded.error !== undefined && loaded.data
          ? html` · <span class="error-text">${errorText(loaded.error)}</span>`
          : null
      }
    </p>
    ${table}
    <nav class="pager" aria-label=${t('tx.page', { page: history.length + 1 })}>
      ${
        cursor !== '' && history.length > 0
          ? html`<button type="button" class="secondary" onClick=${newer}>
              ← ${t('tx.newer')}
            </button>`
          : null
      }
      ${
        cursor !== '' && history.length === 0
          ? html`<a class="button secondary" href=${href('/transactions', filters)}
              >⇤ ${t('tx.first')}</a
            >`
          : null
      }
      ${
        nextCursor !== null
          ? html`<button type="button" class="secondary" onClick=${() => older(nextCursor)}>
              ${t('tx.older')} →
            </button>`
          : null
      }
    </nav>`;
}
