import type { Metadata } from 'next';
import { Suspense } from 'react';
import { TableSkeleton } from '../ui/states';
import { RolloutsRoute } from '../ui/rollouts';

export const metadata: Metadata = { title: 'Rollouts' };

export default function Page() {
  return (
    <Suspense fallback={<TableSkeleton rows={6} columns={7} label="Loading rollouts" />}>
      <RolloutsRoute />
    </Suspense>
  );
}
