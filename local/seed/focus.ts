/**
 * Demo FinOps FOCUS 1.0 exports for `npm start`: 90 days (ending yesterday) of daily charges from
 * AWS, Azure, GCP, OCI and IBM, mapped to the demo environments of `signalbox/environments.yaml`.
 * Deterministic for a given `today`: a seeded generator, a weekly pattern (weekends cheaper), a step
 * change (prod EC2 grows 40 days ago) and one anomaly spike (Azure bandwidth 12 days ago). GCP rows
 * carry no environment tag: they are allocated by their project id (`accounts:` in the config).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const FOCUS_SEED_DAYS = 90;

const COLUMNS = [
  'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodStart', 'BillingPeriodEnd', 'ChargeCategory',
  'ChargePeriodStart', 'ChargePeriodEnd', 'EffectiveCost', 'ListCost', 'ProviderName', 'PublisherName', 'RegionId', 'ResourceId',
  'ServiceCategory', 'ServiceName', 'SubAccountId', 'Tags',
] as const;

interface Line {
  service: string;
  category: string;
  /** Daily base cost per resource, USD. */
  base: number;
  resources: number;
  /** Share of the weekday cost on weekends (compute scales down, storage does not). */
  weekend: number;
}

interface Footprint {
  environment: string | null;
  region: string;
  subAccount: string;
  lines: Line[];
  /** Multiplies the whole footprint (prod > dev). */
  scale: number;
}

interface ProviderSeed {
  file: string;
  providerName: string;
  billingAccount: string;
  billingAccountName: string;
  /** How the environment tag is spelled (all three keys are recognised). */
  tagKey: string;
  footprints: Footprint[];
}

const compute = (service: string, base: number, resources = 2): Line => ({ service, category: 'Compute', base, resources, weekend: 0.65 });
const storage = (service: string, base: number, resources = 1): Line => ({ service, category: 'Storage', base, resources, weekend: 1 });
const other = (service: string, category: string, base: number): Line => ({ service, category, base, resources: 1, weekend: 0.85 });

const PROVIDERS: ProviderSeed[] = [
  {
    file: 'aws-focus.csv.gz', providerName: 'AWS', billingAccount: '100000000001', billingAccountName: 'acme-payer', tagKey: 'signalbox:environment',
    footprints: [
      { environment: 'prod-aws-eu-west-1', region: 'eu-west-1', subAccount: '200000000002', scale: 1, lines: [compute('Amazon Elastic Compute Cloud', 60, 3), storage('Amazon Simple Storage Service', 14), other('Amazon Relational Database Service', 'Databases', 45), other('AWS Lambda', 'Compute', 6), other('Amazon CloudFront', 'Networking', 9), other('Amazon DynamoDB', 'Databases', 7)] },
      { environment: 'dev-aws-eu-central-1', region: 'eu-central-1', subAccount: '300000000003', scale: 0.35, lines: [compute('Amazon Elastic Compute Cloud', 40, 2), storage('Amazon Simple Storage Service', 6), other('AWS Lambda', 'Compute', 3)] },
      { environment: null, region: 'us-east-1', subAccount: '100000000001', scale: 1, lines: [other('AWS Support (Business)', 'Support', 11)] },
    ],
  },
  {
    file: 'azure-focus.csv.gz', providerName: 'Microsoft', billingAccount: 'azure-ea-4471', billingAccountName: 'ACME EA', tagKey: 'environment',
    footprints: [
      { environment: 'prod-azure-westeurope', region: 'westeurope', subAccount: '6f1c2a9e-0b7d-4c1e-9a52-7d3e8b1f0c44', scale: 1, lines: [compute('Virtual Machines', 48, 3), other('Azure Kubernetes Service', 'Compute', 22), storage('Storage', 12, 2), other('Azure SQL Database', 'Databases', 38), other('Bandwidth', 'Networking', 8)] },
    ],
  },
  {
    file: 'gcp-focus.csv.gz', providerName: 'Google Cloud', billingAccount: '01A2B3-C4D5E6-F7A8B9', billingAccountName: 'ACME GCP', tagKey: '',
    footprints: [
      { environment: null, region: 'europe-west4', subAccount: 'acme-staging', scale: 1, lines: [compute('Compute Engine', 30, 2), other('Kubernetes Engine', 'Compute', 14), storage('Cloud Storage', 5), other('Cloud SQL', 'Databases', 18), other('BigQuery', 'Analytics', 9)] },
    ],
  },
  {
    file: 'oci-focus.csv.gz', providerName: 'Oracle', billingAccount: 'ocid1.tenancy.oc1..acme', billingAccountName: 'acme-tenancy', tagKey: 'env',
    footprints: [
      { environment: 'prod-oci-eu-frankfurt-1', region: 'eu-frankfurt-1', subAccount: 'ocid1.compartment.oc1..prod', scale: 1, lines: [compute('Compute', 26, 2), storage('Block Storage', 7, 2), storage('Object Storage', 4), other('Networking', 'Networking', 3)] },
    ],
  },
  {
    file: 'ibm-focus.csv.gz', providerName: 'IBM', billingAccount: 'ibm-acct-5521', billingAccountName: 'ACME IBM Cloud', tagKey: 'environment',
    footprints: [
      { environment: 'dr-ibm-eu-de', region: 'eu-de', subAccount: 'rg-dr', scale: 1, lines: [other('Kubernetes Service', 'Compute', 16), storage('Cloud Object Storage', 5), other('Virtual Private Cloud', 'Networking', 4)] },
    ],
  },
];

/** A small seeded PRNG (mulberry32), so the same day always gets the same numbers. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** RFC 4180: quote fields with commas, quotes or line breaks; double inner quotes. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The demo FOCUS files (CSV text) for the 90 days before `today` (YYYY-MM-DD). */
export function generateFocusFiles(today: string): { name: string; csv: string }[] {
  const first = addDays(today, -FOCUS_SEED_DAYS);
  return PROVIDERS.map((p) => {
    const lines: string[] = [COLUMNS.join(',')];
    for (let i = 0; i < FOCUS_SEED_DAYS; i++) {
      const date = addDays(first, i);
      const daysAgo = FOCUS_SEED_DAYS - i;
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      const rand = random(hash(`${p.file}|${date}`));
      const month = `${date.slice(0, 7)}-01`;
      for (const fp of p.footprints) {
        for (const line of fp.lines) {
          for (let r = 0; r < line.resources; r++) {
            let cost = line.base * fp.scale * (weekend ? line.weekend : 1) * (0.92 + rand() * 0.16);
            // Step change: prod EC2 capacity grows 40 days ago.
            if (daysAgo <= 40 && line.service === 'Amazon Elastic Compute Cloud' && fp.environment === 'prod-aws-eu-west-1') cost *= 1.35;
            // One anomaly: a data-egress spike on Azure 12 days ago.
            if (daysAgo === 12 && line.service === 'Bandwidth') cost += 640;
            const billed = Math.round(cost * 10000) / 10000;
            // Reserved capacity: compute is billed at list on the invoice but amortizes a bit lower.
            const effective = Math.round(billed * (line.category === 'Compute' ? 0.9 : 1) * 10000) / 10000;
            const tags: Record<string, string> = { team: line.category === 'Databases' ? 'data' : 'platform', 'cost-center': 'cc-1042, ops' };
            if (fp.environment && p.tagKey) tags[p.tagKey] = fp.environment;
            const resource = `${p.providerName.toLowerCase().replace(/\s+/g, '-')}/${fp.subAccount}/${line.service.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${r + 1}`;
            const row: Record<(typeof COLUMNS)[number], string> = {
              BilledCost: billed.toFixed(4),
              BillingAccountId: p.billingAccount,
              BillingAccountName: p.billingAccountName,
              BillingCurrency: 'USD',
              BillingPeriodStart: `${month}T00:00:00Z`,
              BillingPeriodEnd: `${addDays(month, 32).slice(0, 7)}-01T00:00:00Z`,
              ChargeCategory: 'Usage',
              ChargePeriodStart: `${date}T00:00:00Z`,
              ChargePeriodEnd: `${addDays(date, 1)}T00:00:00Z`,
              EffectiveCost: effective.toFixed(4),
              ListCost: (billed * 1.1).toFixed(4),
              ProviderName: p.providerName,
              PublisherName: p.providerName,
              RegionId: fp.region,
              ResourceId: resource,
              ServiceCategory: line.category,
              ServiceName: line.service,
              SubAccountId: fp.subAccount,
              Tags: JSON.stringify(tags),
            };
            lines.push(COLUMNS.map((c) => csvField(row[c])).join(','));
          }
        }
      }
    }
    return { name: p.file, csv: `${lines.join('\r\n')}\r\n` };
  });
}

/** Writes the demo FOCUS files, gzip-compressed, into `dir` (created if needed); returns their names. */
export async function writeFocusSeed(dir: string, today: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = generateFocusFiles(today);
  for (const f of files) await writeFile(join(dir, f.name), gzipSync(Buffer.from(f.csv, 'utf8')));
  return files.map((f) => f.name);
}
