import type { DoraLevel, DoraLevelBadge } from './model';

/** How a metric's value is compared with a level's bound. */
type Comparison = 'atLeast' | 'below' | 'atMost';

export interface DoraMetricBands {
  unit: string;
  compare: Comparison;
  /** Bounds of elite, high and medium in `unit`; anything else is low. */
  elite: number;
  high: number;
  medium: number;
  /** The published wording of each level, in our words. */
  wording: Record<DoraLevel, string>;
}

export interface DoraThresholdTable {
  name: string;
  /** `YYYY-MM`. */
  publishedAt: string;
  source: string;
  /** How Signalbox turned the published wording into numbers. */
  note: string;
  deploymentFrequency: DoraMetricBands;
  leadTime: DoraMetricBands;
  changeFailureRate: DoraMetricBands;
  recoveryTime: DoraMetricBands;
}

export type DoraMetricName = 'deploymentFrequency' | 'leadTime' | 'changeFailureRate' | 'recoveryTime';

/**
 * Performance levels as published, newest last. A badge names the table it was read from, so a
 * later table can be added here without silently changing what an old badge meant.
 *
 * DORA 2023 (Accelerate State of DevOps Report, October 2023) describes four clusters in words:
 * deployment frequency from "on demand" to "once a week to once a month"; lead time from "under a
 * day" to "a week to a month"; change failure rates of about 5 %, 10 %, 15 % and 64 %; failed
 * deployment recovery from "under an hour" to "one to six months". In 2023 the low cluster shared
 * its deployment-frequency and lead-time ranges with medium, so those two metrics cannot tell
 * medium from low; Signalbox reads "low" as anything worse than medium's range.
 */
export const DORA_THRESHOLDS: readonly DoraThresholdTable[] = [
  {
    name: 'DORA 2023',
    publishedAt: '2023-10',
    source: 'Accelerate State of DevOps Report 2023 (DORA, Google Cloud)',
    note:
      'Deployment frequency is read as deployment days per week: elite from 5 (every working day, our reading of "on demand"), ' +
      'high from 1, medium from one per month (7/30). Lead time and recovery use the published upper ends (1 day, 1 week, 1 month; ' +
      '1 hour, 1 day, 1 week). Change failure rate uses each cluster\'s typical rate as an upper bound (5 %, 10 %, 15 %).',
    deploymentFrequency: {
      unit: 'deployment days per week',
      compare: 'atLeast',
      elite: 5,
      high: 1,
      medium: 7 / 30,
      wording: {
        elite: 'on demand (several deploys a day)',
        high: 'once a day to once a week',
        medium: 'once a week to once a month',
        low: 'less often than once a month',
      },
    },
    leadTime: {
      unit: 'hours',
      compare: 'below',
      elite: 24,
      high: 24 * 7,
      medium: 24 * 30,
      wording: {
        elite: 'under one day',
        high: 'one day to one week',
        medium: 'one week to one month',
        low: 'more than one month',
      },
    },
    changeFailureRate: {
      unit: 'ratio',
      compare: 'atMost',
      elite: 0.05,
      high: 0.1,
      medium: 0.15,
      wording: { elite: 'about 5 %', high: 'about 10 %', medium: 'about 15 %', low: 'about 64 %' },
    },
    recoveryTime: {
      unit: 'hours',
      compare: 'below',
      elite: 1,
      high: 24,
      medium: 24 * 7,
      wording: {
        elite: 'under one hour',
        high: 'under one day',
        medium: 'one day to one week',
        low: 'one to six months',
      },
    },
  },
];

/** The table reports use unless told otherwise: the newest. */
export const CURRENT_DORA_THRESHOLDS: DoraThresholdTable = DORA_THRESHOLDS[DORA_THRESHOLDS.length - 1]!;

function meets(value: number, bound: number, compare: Comparison): boolean {
  if (compare === 'atLeast') return value >= bound;
  if (compare === 'below') return value < bound;
  return value <= bound;
}

/** The level of `value` for `metric` in `table`; null when there is no value. Pure. */
export function levelFor(metric: DoraMetricName, value: number | null, table: DoraThresholdTable = CURRENT_DORA_THRESHOLDS): DoraLevelBadge | null {
  if (value === null || !Number.isFinite(value)) return null;
  const bands = table[metric];
  const level: DoraLevel = meets(value, bands.elite, bands.compare)
    ? 'elite'
    : meets(value, bands.high, bands.compare)
      ? 'high'
      : meets(value, bands.medium, bands.compare)
        ? 'medium'
        : 'low';
  return { level, table: table.name, publishedAt: table.publishedAt, band: bands.wording[level] };
}
