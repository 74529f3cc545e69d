import type { AwsCostInsights, CostDay, CostDayMarker, CostImportRecord } from '../../core/costs/model';
import { ValidationError } from '../../core/errors';
import type { CostStore } from '../../core/ports/cost-store';
import type { Page } from '../../core/read-models';

/** `CostStore` in memory (tests, contract reference): a day is replaced by swapping one map entry. */
export class InMemoryCostStore implements CostStore {
  private readonly days = new Map<string, CostDay>();
  private readonly imports: CostImportRecord[] = [];
  private insights: AwsCostInsights | null = null;

  async replaceDay(day: CostDay): Promise<void> {
    this.days.set(`${day.source}\u0000${day.date}`, structuredClone({ ...day, rows: [...day.rows] }));
  }

  private inRange(fromDate: string, toDate: string, source?: string): CostDay[] {
    return [...this.days.values()]
      .filter((d) => d.date >= fromDate && d.date <= toDate && (!source || d.source === source))
      .sort((a, b) => (a.date === b.date ? (a.source < b.source ? -1 : 1) : a.date < b.date ? -1 : 1));
  }

  async listDays(fromDate: string, toDate: string): Promise<CostDay[]> {
    return structuredClone(this.inRange(fromDate, toDate));
  }

  async listMarkers(fromDate: string, toDate: string, source?: string): Promise<CostDayMarker[]> {
    return this.inRange(fromDate, toDate, source).map((d) => ({ source: d.source, date: d.date, importedAt: d.importedAt, importId: d.importId, rowCount: d.rows.length }));
  }

  async recordImport(record: CostImportRecord): Promise<void> {
    this.imports.push(structuredClone(record));
  }

  async listImports(limit: number, cursor?: string): Promise<Page<CostImportRecord>> {
    const sorted = [...this.imports].sort((a, b) => (`${a.startedAt}#${a.id}` < `${b.startedAt}#${b.id}` ? 1 : -1));
    const start = cursor ? Number(cursor) : 0;
    if (!Number.isInteger(start) || start < 0) throw new ValidationError('cursor is not a cursor this API returned', 'cursor', 'invalid_cursor');
    const items = sorted.slice(start, start + limit);
    return { items: structuredClone(items), next: start + limit < sorted.length ? String(start + limit) : null };
  }

  async putAwsInsights(insights: AwsCostInsights): Promise<void> {
    this.insights = structuredClone(insights);
  }

  async getAwsInsights(): Promise<AwsCostInsights | null> {
    return structuredClone(this.insights);
  }
}
