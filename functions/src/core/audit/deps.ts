import type { Clock } from '../ports/clock';
import type { AuditStore } from '../ports/audit-store';
import type { Logger } from '../ports/logger';

/** What the audit use cases need. */
export interface AuditDeps {
  audit: AuditStore;
  clock: Clock;
  logger: Logger;
}
