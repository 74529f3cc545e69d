import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DoraPage, DoraSkeleton } from '../ui/dora';

export const metadata: Metadata = { title: 'DORA metrics' };

export default function Page() {
  return (
    <Suspense fallback={<DoraSkeleton />}>
      <DoraPage />
    </Suspense>
  );
}
