import { useMemo } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import {
  formatCount,
  formatDuration,
  formatMoney,
  formatMs,
  formatPercent,
  taiwanDate,
  taiwanDayStart,
} from '../format.js';
import { lang, t } from '../i18n.js';
import { href, type Route } from '../router.js';
import { scopeQuery, useConsole } from '../state.js';
import type { StatsAnswer, StatsBucket } from '../types.js';
import { TimeChart, type ChartSeries } from '../ui/chart.js';
import { useLoad } from '../ui/load.js';
import { Empty, ErrorBox, Loading } from '../ui/states.js';

type Range = 'today' | '7d' | '30d';
const RANGES: Range[] = ['today', '7d', '30d'];
const HOUR = 3_600_000;
const RATE_RANGE: [number, number] = [0, 100];
const DAY = 86_400_000;

/** The period's start (a Taiwan midnight), its bucket and the bucket's length. */
function period(range: Range, now: number) {
  const days = range === 'today' ? 0 : range === '7d' ? 6 : 29;
  const from = taiwanDayStart(taiwanDate(now), -days)!;
  return { from, bucket: range === 'today' ? ('hour' as const) : ('day' as const) };
}

/** Succeeded ÷ calls with an outcome (not pending, not unknown); null when there are none. */
function successRate(byState: StatsBucket['by_state']): number | null {
  const settled =
    (byState.succeeded ?? 0) +
    (byState.declined ?? 0) +
    (byState.rejected ?? 0) +
    (byState.failed ?? 0);
  return settled === 0 ? null : (byState.succeeded ?? 0) / settled;
}

/** Every bucket of the period, the empty ones too, so the charts' time axis has no holes. */
function series(stats: StatsAnswer) {
  const step = stats.bucket === 'hour' ? HOUR : DAY;
  const byStart = new Map(stats.buckets.map((b) => [Date.parse(b.start), b]));
  const first = stats.buckets[0] ? Date.parse(stats.buckets[0].start) : undefined;
  const x: number[] = [];
  const count: (number | null)[] = [];
  const paid: (number | null)[] = [];
  const rate: (number | null)[] = [];
  const p50: (number | null)[] = [];
  const p99: (number | null)[] = [];
  const chartData = () => ({ x, volume: [count, paid], rate: [rate], latency: [p50, p99] });
  if (first === undefined) return chartData();
  // The first bucket on the period's grid (bucket starts are Taiwan-aligned by the API).
  let start = first;
  const from = Date.parse(stats.from);
  while (start - step >= from) start -= step;
  for (let at = start; at < Date.parse(stats.to); at += step) {
    const b = byStart.get(at);
    x.push(at / 1000);
    count.push(b?.count ?? 0);
    paid.push(b?.paid.TWD ?? 0);
    const r = b ? successRate(b.by_state) : null;
    rate.push(r === null ? null : Math.round(r * 1000) / 10);
    p50.push(b?.upstream_latency_ms.p50 ?? null);
    p99.push(b?.upstream_latency_ms.p99 ?? null);
  }
  return chartData();
}

export function Overview({ route }: { route: Route }) {
  const state = useConsole();
  const range: Range = RANGES.includes(route.query.range as Range)
    ? (route.query.range as Range)
    : '7d';
  const scope = scopeQuery(state);
  const key = JSON.stringify([range, scope]);
  const loaded = useLoad(async () => {
    const p = period(range, Date.now());
    return {
      stats: await api.get<StatsAnswer>('/stats', { ...scope, from: p.from, bucket: p.bucket }),
    };
  }, key);

  const charts = useMemo(
    () => (loaded.data ? series(loaded.data.stats) : undefined),
    [loaded.data],
  );
  const seriesSets = useMemo(
    () => ({
      volume: [
        { label: t('overview.series.count'), color: '#0f4c81', bars: true, format: formatCount },
        {
          label: t('overview.series.paid'),
          color: '#c2410c',
          scale: 'right',
          format: (v: number) => formatMoney(v),
        },
      ] as ChartSeries[],
      rate: [
        { label: t('overview.series.rate'), color: '#15803d', format: (v: number) => `${v}%` },
      ] as ChartSeries[],
      latency: [
        { label: 'p50', color: '#0f4c81', format: formatMs },
        { label: 'p99', color: '#b91c1c', format: formatMs },
      ] as ChartSeries[],
    }),
    [lang()],
  );

  const tabs = html`<nav class="tabs" aria-label=${t('overview.range')}>
    ${RANGES.map(
      (r) =>
        html`<a
          href=${href('/', { range: r })}
          class=${r === range ? 'tab active' : 'tab'}
          aria-current=${r === range ? 'page' : undefined}
          >${t(r === 'today' ? 'overview.today' : r === '7d' ? 'overview.days7' : 'overview.days30')}</a
        >`,
    )}
  </nav>`;

  let body;
  if (loaded.error !== undefined && !loaded.data)
    body = html`<${ErrorBox} error=${loaded.error} />`;
  else if (!loaded.data || !charts) body = html`<${Loading} />`;
  else {
    const { stats } = loaded.data;
    // The period's own figures: its latency percentiles over every call, not a mix of days'.
    const { total: periodTotal } = stats;
    const total = periodTotal.count;
    const byState = periodTotal.by_state;
    const paid = periodTotal.paid.TWD ?? 0;
    const refunded = periodTotal.refunded.TWD ?? 0;
    const backlog = stats.unknown_backlog;
    body = html`
      <div class="cards">
        <section class="card" aria-labelledby="card-volume">
          <h2 id="card-volume">${t('overview.volume')}</h2>
          <p class="figure" data-figure="count">${formatCount(total)}</p>
          <p class="muted">${t('overview.calls', { count: formatCount(total) })}</p>
        </section>
        <section class="card" aria-labelledby="card-paid">
          <h2 id="card-paid">${t('overview.paid')}</h2>
          <p class="figure" data-figure="paid">${formatMoney(paid)}</p>
          <p class="muted">${t('overview.refunded', { amount: formatMoney(refunded) })}</p>
        </section>
        <section class="card" aria-labelledby="card-rate">
          <h2 id="card-rate">${t('overview.successRate')}</h2>
          <p class="figure" data-figure="rate">${formatPercent(successRate(byState))}</p>
          <p class="muted">${t('overview.successNote')}</p>
        </section>
        <section class="card" aria-labelledby="card-latency">
          <h2 id="card-latency">${t('overview.latency')}</h2>
          <p class="figure compact" data-figure="latency">
            ${`${formatMs(periodTotal.upstream_latency_ms.p50)} / ${formatMs(periodTotal.upstream_latency_ms.p99)}`}
          </p>
          <p class="muted">${t('overview.latencyNote')}</p>
        </section>
        <section class=${backlog.count > 0 ? 'card alert' : 'card'} aria-labelledby="card-backlog">
          <h2 id="card-backlog">${t('overview.backlog')}</h2>
          <p class="figure" data-figure="backlog">
            ${
              backlog.count > 0
                ? html`<a href=${href('/transactions', { state: 'unknown' })}
                    >${formatCount(backlog.count)}</a
                  >`
                : '0'
            }
          </p>
          <p class="muted">
            ${
              backlog.count > 0
                ? t('overview.backlogOldest', {
                    age: formatDuration(backlog.oldest_age_seconds, lang()),
                  })
                : t('overview.backlogNone')
            }
          </p>
        </section>
      </div>
      ${total === 0 ? html`<${Empty} text=${t('overview.empty')} />` : null}
      <div class="charts">
        <${TimeChart}
          title=${t('overview.chart.volume')}
          x=${charts.x}
          series=${seriesSets.volume}
          values=${charts.volume}
        />
        <${TimeChart}
          title=${t('overview.chart.rate')}
          x=${charts.x}
          series=${seriesSets.rate}
          values=${charts.rate}
          range=${RATE_RANGE}
        />
        <${TimeChart}
          title=${t('overview.chart.latency')}
          x=${charts.x}
          series=${seriesSets.latency}
          values=${charts.latency}
        />
      </div>
    `;
  }
  return html`<div class="page-head">
      <h1 tabindex="-1">${t('overview.title')}</h1>
      <button type="button" class="secondary" onClick=${loaded.reload}>${t('app.refresh')}</button>
    </div>
    ${tabs} ${body}`;
}
