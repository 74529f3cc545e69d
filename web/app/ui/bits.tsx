import Link from 'next/link';
import type { MatrixCellView, TimeView } from '@/lib/api';
import { hrefs } from '@/lib/routes';

/** Relative time with the absolute UTC time as tooltip and machine value. */
export function Time({ value }: { value: TimeView }) {
  return (
    <time dateTime={value.iso} title={value.absolute}>
      {value.relative}
    </time>
  );
}

const SUBJECT_COLOURS = new Set(['service', 'environment', 'artifact', 'pipelinerun', 'taskrun', 'build', 'change', 'incident', 'testcaserun', 'testsuiterun']);

export function TypeBadge({ type, short, subject }: { type: string; short: string; subject: string }) {
  const tone = SUBJECT_COLOURS.has(subject) ? subject : 'other';
  return (
    <span className={`badge badge--${tone}`} title={type}>
      {short}
    </span>
  );
}

export function ValidityBadge({ valid, count }: { valid: boolean; count: number }) {
  return valid ? (
    <span className="badge badge--valid">valid</span>
  ) : (
    <span className="badge badge--invalid" title={`${count} schema violation${count === 1 ? '' : 's'}`}>
      {count} violation{count === 1 ? '' : 's'}
    </span>
  );
}

export function ServiceLink({ name }: { name: string | null }) {
  return name ? <Link href={hrefs.service(name)}>{name}</Link> : <span className="muted">—</span>;
}

export function EnvironmentLink({ name }: { name: string | null }) {
  return name ? <Link href={hrefs.environment(name)}>{name}</Link> : <span className="muted">—</span>;
}

/** Version, since, state and artifact cells of a current-state row (shared by the service and environment pages). */
export function CellStateColumns({ cell }: { cell: MatrixCellView }) {
  return (
    <>
      <td title={cell.fullVersion ?? undefined}>
        <code>{cell.version}</code>
      </td>
      <td>
        <Time value={cell.since} />
        {cell.recent ? <span className="badge badge--recent">new</span> : null}
      </td>
      <td>{cell.removed ? 'removed' : 'running'}</td>
      <td className="artifact" title={cell.artifactId ?? undefined}>
        <code>{cell.artifactId ?? '—'}</code>
      </td>
    </>
  );
}

/** Row class for a current-state row: removed rows are dimmed, recent changes highlighted. */
export function cellRowClass(cell: MatrixCellView): string | undefined {
  return cell.removed ? 'row--removed' : cell.recent ? 'row--recent' : undefined;
}
