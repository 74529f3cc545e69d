import { useId } from 'react';
import type { ChartPoint } from '@/lib/rollouts';
import { absoluteTime } from '@/lib/format';

/** A horizontal bar: canary share of traffic, stable the rest. */
export function WeightBar({ canary, label }: { canary: number; label?: string }) {
  const pct = Math.round(canary);
  return (
    <span className="weight-bar" role="img" aria-label={label ?? `Canary ${pct}%, stable ${100 - pct}%`} title={`canary ${pct}% · stable ${100 - pct}%`}>
      <span className="weight-bar__canary" style={{ width: `${pct}%` }} />
      <span className="weight-bar__text" aria-hidden="true">
        {pct}%
      </span>
    </span>
  );
}

const W = 640;
const H = 200;
const PAD = { left: 40, right: 12, top: 12, bottom: 28 };

function clock(t: number): string {
  return new Date(t).toISOString().slice(11, 19);
}

/**
 * Canary weight over time as a step line (weights change in steps, not slopes), hand-written SVG
 * with a title and a description that say in words what the line shows.
 */
export function WeightChart({ points, live, service }: { points: ChartPoint[]; live: boolean; service: string }) {
  const id = useId();
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const last = points[points.length - 1];
  const first = points[0];
  const t0 = first?.t ?? 0;
  const t1 = Math.max(last?.t ?? 1, t0 + 1);
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (w: number) => PAD.top + (1 - w / 100) * (H - PAD.top - PAD.bottom);

  let path = '';
  points.forEach((p, i) => {
    if (i === 0) path += `M${x(p.t).toFixed(1)},${y(p.canary).toFixed(1)}`;
    else path += `H${x(p.t).toFixed(1)}V${y(p.canary).toFixed(1)}`;
  });
  const area = points.length > 0 ? `${path}V${y(0).toFixed(1)}H${x(t0).toFixed(1)}Z` : '';
  const changes = points.filter((p, i) => i === 0 || p.canary !== points[i - 1]!.canary);
  const description =
    points.length === 0
      ? 'No weight changes recorded yet.'
      : `Canary weight changes: ${changes.map((p) => `${p.canary}% at ${absoluteTime(new Date(p.t).toISOString())}`).join('; ')}. Now ${last!.canary}%.`;

  return (
    <figure className="weight-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${titleId} ${descId}`} preserveAspectRatio="none" data-testid="weight-chart">
        <title id={titleId}>{`Canary traffic weight of ${service} over time${live ? ' (live)' : ''}`}</title>
        <desc id={descId}>{description}</desc>
        {[0, 25, 50, 75, 100].map((w) => (
          <g key={w} className="weight-chart__grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(w)} y2={y(w)} />
            <text x={PAD.left - 6} y={y(w) + 4} textAnchor="end">
              {w}%
            </text>
          </g>
        ))}
        {points.length > 0 ? (
          <>
            <path d={area} className="weight-chart__area" />
            <path d={path} className="weight-chart__line" />
            {changes.map((p) => (
              <circle key={`${p.t}-${p.canary}`} cx={x(p.t)} cy={y(p.canary)} r={3} className="weight-chart__dot" />
            ))}
            <text x={PAD.left} y={H - 8} className="weight-chart__axis">
              {clock(t0)}
            </text>
            <text x={W - PAD.right} y={H - 8} textAnchor="end" className="weight-chart__axis">
              {clock(t1)} UTC
            </text>
          </>
        ) : null}
      </svg>
      <figcaption className="muted">
        Canary weight (actual) over time{live ? ', updated every 2 seconds' : ''}. Stable gets the rest.
      </figcaption>
    </figure>
  );
}

/** A tiny line of a metric's measurements, oldest to newest. Decorative: the table has the numbers. */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  if (values.length < 2) return null;
  const w = 96;
  const h = 24;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const pts = values.map((v, i) => `${((i / (values.length - 1)) * (w - 4) + 2).toFixed(1)},${(h - 2 - ((v - min) / span) * (h - 4)).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <polyline points={pts} />
    </svg>
  );
}
