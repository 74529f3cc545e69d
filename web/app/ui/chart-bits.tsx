/**
 * The value axis of a bar chart: the zero line, a dashed line at the highest value, and their
 * labels left of the plot (`left` is where the plot starts, `right` where it ends).
 */
export function ValueAxis({ left, right, y0, yMax, maxLabel }: { left: number; right: number; y0: number; yMax: number; maxLabel: string | number }) {
  return (
    <>
      <line x1={left} x2={right} y1={y0} y2={y0} stroke="var(--border-strong)" />
      <line x1={left} x2={right} y1={yMax} y2={yMax} stroke="var(--border)" strokeDasharray="3 3" />
      <text x={left - 4} y={yMax + 4} textAnchor="end" fontSize="10" fill="var(--muted)">
        {maxLabel}
      </text>
      <text x={left - 4} y={y0 + 4} textAnchor="end" fontSize="10" fill="var(--muted)">
        0
      </text>
    </>
  );
}
