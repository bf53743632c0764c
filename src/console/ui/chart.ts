import { useEffect, useRef } from 'preact/hooks';
import { formatTime, tick } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  color: string;
  /** The y scale: 'left' (default) or 'right', each with its own axis. */
  scale?: 'left' | 'right';
  bars?: boolean;
  format?: (value: number) => string;
}

const TAIPEI = 'Asia/Taipei';
const HOUR = 3600;
const DAY = 86_400;

/**
 * A time series chart (uPlot, bundled): x is each bucket's start in seconds, one array of
 * values per series (null for none). Times on the axis and in the legend are Taiwan time;
 * the width follows the container.
 */
export function TimeChart(props: {
  title: string;
  x: number[];
  series: ChartSeries[];
  values: (number | null)[][];
  height?: number;
  /** A fixed range for the left scale (a percentage: [0, 100]). */
  range?: [number, number];
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const { x, series, values } = props;
  useEffect(() => {
    const el = box.current!;
    const usesRight = series.some((s) => s.scale === 'right');
    const axisColor = '#4b5563';
    // Ticks fall on whole buckets: hours for a day's chart, days for a week's or a month's.
    const step = x.length > 1 ? x[1]! - x[0]! : DAY;
    const incrs =
      step >= DAY
        ? [DAY, 2 * DAY, 7 * DAY, 14 * DAY]
        : [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY];
    const options: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: props.height ?? 220,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), TAIPEI),
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        left: props.range ? { auto: false, range: props.range } : { auto: true },
        right: { auto: true },
      },
      series: [
        {
          label: t('tx.col.time'),
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatTime(v * 1000)),
        },
        ...series.map((s) => ({
          label: s.label,
          scale: s.scale ?? 'left',
          stroke: s.color,
          width: 2,
          ...(s.bars
            ? {
                fill: `${s.color}55`,
                paths: uPlot.paths.bars!({ size: [0.6, 48] }),
                points: { show: false },
              }
            : { points: { show: true, size: 5 } }),
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : (s.format ?? String)(v)),
        })),
      ],
      axes: [
        {
          stroke: axisColor,
          grid: { stroke: '#e5e7eb' },
          incrs,
          values: (_u: uPlot, splits: number[]) => splits.map((v) => tick(v, step)),
        },
        {
          scale: 'left',
          stroke: axisColor,
          grid: { stroke: '#e5e7eb' },
          values: (_u, splits) => splits.map((v) => (series[0]?.format ?? String)(v)),
          size: 64,
        },
        ...(usesRight
          ? [
              {
                scale: 'right',
                side: 1 as const,
                stroke: axisColor,
                grid: { show: false },
                values: (_u: uPlot, splits: number[]) =>
                  splits.map((v) => (series.find((s) => s.scale === 'right')?.format ?? String)(v)),
                size: 80,
              },
            ]
          : []),
      ],
    };
    const plot = new uPlot(options, [x, ...values] as uPlot.AlignedData, el);
    chart.current = plot;
    const resize = new ResizeObserver(() => {
      const width = Math.max(280, el.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: props.height ?? 220 });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [x, series, values]);
  return html`<figure class="chart">
    <figcaption>${props.title}</figcaption>
    <div ref=${box} class="chart-box" role="img" aria-label=${props.title}></div>
  </figure>`;
}
