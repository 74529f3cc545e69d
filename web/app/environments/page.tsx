import type { Metadata } from 'next';
import { Suspense } from 'react';
import { EnvironmentsPage } from '../ui/environments';
import { TableSkeleton } from '../ui/states';

export const metadata: Metadata = { title: 'Environments' };

export default function Page() {
  return (
    <Suspense fallback={<TableSkeleton rows={5} columns={6} label="Loading environments" />}>
      <EnvironmentsPage />
    </Suspense>
  );
}
