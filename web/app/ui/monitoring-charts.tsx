import { useId } from 'react';
import { absoluteTime } from '@/lib/format';
import { formatNumber, type HistoryBucket, type MetricSeries } from '@/lib/monitoring';

const W = 420;
const H = 170;
const PAD = { left: 48, right: 10, top: 10, bottom: 24 };

function axisTime(t: number, spanMs: number): string {
  const iso = new Date(t).toISOString();
  return spanMs > 2 * 24 * 3_600_000 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

/**
 * One metric over a time window: the band from each bucket's minimum to its maximum and a line
 * through the averages, hand-written SVG with a title and a description in words. Gaps (no data)
 * break the line.
 */
export function MetricChart({ series, from, to, bucketMs }: { series: MetricSeries; from: number; to: number; bucketMs: number }) {
  const id = useId();
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const { points, metric } = series;
  const lo = Math.min(0, ...points.map((p) => p.min));
  const hiRaw = Math.max(...points.map((p) => p.max), lo + 1e-9);
  const hi = hiRaw === lo ? lo + 1 : hiRaw + (hiRaw - lo) * 0.05;
  const span = Math.max(to - from, 1);
  const x = (t: number) => PAD.left + ((t - from) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);

  // Runs of consecutive buckets: a missing bucket breaks the line and the band.
  const runs: (typeof points)[] = [];
  for (const p of points) {
    const run = runs[runs.length - 1];
    const prev = run?.[run.length - 1];
    if (run && prev && p.t - prev.t <= bucketMs * 1.5) run.push(p);
    else runs.push([p]);
  }
  const mid = (t: number) => x(t + bucketMs / 2);
  const line = (run: typeof points) => run.map((p, i) => `${i === 0 ? 'M' : 'L'}${mid(p.t).toFixed(1)},${y(p.avg).toFixed(1)}`).join('');
  const band = (run: typeof points) =>
    `${run.map((p, i) => `${i === 0 ? 'M' : 'L'}${mid(p.t).toFixed(1)},${y(p.max).toFixed(1)}`).join('')}${[...run]
      .reverse()
      .map((p) => `L${mid(p.t).toFixed(1)},${y(p.min).toFixed(1)}`)
      .join('')}Z`;

  const allMin = Math.min(...points.map((p) => p.min));
  const allMax = Math.max(...points.map((p) => p.max));
  const last = points[points.length - 1];
  const description =
    points.length === 0
      ? `No ${metric} values in this window.`
      : `${metric} from ${absoluteTime(new Date(points[0]!.t).toISOString())} to ${absoluteTime(new Date(last!.t).toISOString())}: lowest ${formatNumber(allMin)}, highest ${formatNumber(allMax)}, latest average ${formatNumber(last!.avg)}.`;
  const ticks = [lo, lo + (hi - lo) / 2, hi];

  return (
    <figure className="metric-chart" data-metric={metric}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${titleId} ${descId}`} data-testid="metric-chart">
        <title id={titleId}>{`${metric} over time (min, average and max per bucket)`}</title>
        <desc id={descId}>{description}</desc>
        {ticks.map((v, i) => (
          <g key={i} className="weight-chart__grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {formatNumber(v)}
            </text>
          </g>
        ))}
        {runs.map((run, i) => (
          <g key={i}>
            <path d={band(run)} className="metric-chart__band" />
            <path d={line(run)} className="metric-chart__line" />
            {run.length === 1 ? <circle cx={mid(run[0]!.t)} cy={y(run[0]!.avg)} r={2.5} className="metric-chart__dot" /> : null}
          </g>
        ))}
        <text x={PAD.left} y={H - 8} className="weight-chart__axis">
          {axisTime(from, span)}
        </text>
        <text x={W - PAD.right} y={H - 8} textAnchor="end" className="weight-chart__axis">
          {axisTime(to, span)} UTC
        </text>
      </svg>
      <figcaption className="muted">
        <strong>{metric}</strong>: line = average per bucket, band = min to max.
      </figcaption>
    </figure>
  );
}

/** The status of every bucket across the window (gaps: no data), like the health page's strip but for any range. */
export function RangeStrip({ buckets, from, to, name }: { buckets: readonly HistoryBucket[]; from: number; to: number; name: string }) {
  const span = Math.max(to - from, 1);
  const counts = new Map<string, number>();
  for (const b of buckets) counts.set(b.status, (counts.get(b.status) ?? 0) + 1);
  const words = buckets.length === 0 ? 'no data' : [...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', ');
  return (
    <svg
      className="range-strip"
      viewBox="0 0 1000 24"
      preserveAspectRatio="none"
      role="img"
      aria-label={`History of ${name}, one bar per bucket: ${words}`}
      data-testid="range-strip"
    >
      <rect x={0} y={0} width={1000} height={24} className="range-strip__none" />
      {buckets.map((b) => {
        const start = Date.parse(b.start);
        const x0 = Math.max(0, ((start - from) / span) * 1000);
        const x1 = Math.min(1000, ((start + b.minutes * 60_000 - from) / span) * 1000);
        if (x1 <= 0 || x0 >= 1000) return null;
        return (
          <rect key={b.start} x={x0} y={0} width={Math.max(x1 - x0, 1.5)} height={24} className={`range-strip__${b.status}`}>
            <title>{`${absoluteTime(b.start)} (${b.minutes} min): ${b.status}, ${b.count} result${b.count === 1 ? '' : 's'}${b.lastMessage ? ` — ${b.lastMessage}` : ''}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}
