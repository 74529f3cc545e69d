import type { Metadata } from 'next';
import { Suspense } from 'react';
import { CheckRoute } from '../ui/check';
import { BlockSkeleton } from '../ui/states';

export const metadata: Metadata = { title: 'Check' };

export default function Page() {
  return (
    <Suspense fallback={<BlockSkeleton lines={6} label="Loading the check" />}>
      <CheckRoute />
    </Suspense>
  );
}
