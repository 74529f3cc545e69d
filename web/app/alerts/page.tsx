import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AlertsRoute } from '../ui/alerts';
import { TableSkeleton } from '../ui/states';

export const metadata: Metadata = { title: 'Alerts' };

export default function Page() {
  return (
    <Suspense fallback={<TableSkeleton rows={5} columns={6} label="Loading alerts" />}>
      <AlertsRoute />
    </Suspense>
  );
}
