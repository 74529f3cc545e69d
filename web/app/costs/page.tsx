import type { Metadata } from 'next';
import { Suspense } from 'react';
import { CostsPage, CostsSkeleton } from '../ui/costs';

export const metadata: Metadata = { title: 'Costs' };

export default function Page() {
  return (
    <Suspense fallback={<CostsSkeleton />}>
      <CostsPage />
    </Suspense>
  );
}
