/** The audit log: model, use cases and deps (issue 5). */
export * from './model';
export * from './audit';
export type { AuditDeps } from './deps';
