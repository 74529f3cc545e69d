import type { Metadata } from 'next';
import { Suspense } from 'react';
import { HealthPage } from '../ui/health';
import { TableSkeleton } from '../ui/states';

export const metadata: Metadata = { title: 'Health' };

export default function Page() {
  return (
    <Suspense fallback={<TableSkeleton rows={8} columns={5} label="Loading health" />}>
      <HealthPage />
    </Suspense>
  );
}
