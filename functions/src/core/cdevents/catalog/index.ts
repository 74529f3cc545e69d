import { customEvent, standardEvent } from './event-shape';
import type { EventRule } from './rules';
import { V0_3_0 } from './v0-3-0';
import { V0_4_1 } from './v0-4-1';
import { V0_5_1 } from './v0-5-1';

/**
 * Every schema Signalbox knows, built once at module load: standard types keyed by their full
 * `context.type` (the three releases share no type string), plus the two custom-event schemas.
 */
export const STANDARD_EVENTS: ReadonlyMap<string, EventRule> = new Map(
  [
    ...V0_3_0.map((entry) => standardEvent('0.3.0', entry)),
    ...V0_4_1.map((entry) => standardEvent('0.4.1', entry)),
    ...V0_5_1.map((entry) => standardEvent('0.5.1', entry)),
  ].map((rule) => [rule.schemaId, rule]),
);

export const CUSTOM_EVENTS = {
  '0.4.1': customEvent('0.4.1'),
  '0.5.1': customEvent('0.5.1'),
} as const;

export type { EventRule, Rule } from './rules';
