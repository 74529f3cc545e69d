import type { Metadata } from 'next';
import { Suspense } from 'react';
import { BlockSkeleton } from '../ui/states';
import { SystemRoute } from '../ui/system';

export const metadata: Metadata = { title: 'System' };

export default function Page() {
  return (
    <Suspense fallback={<BlockSkeleton lines={6} label="Loading the system" />}>
      <SystemRoute />
    </Suspense>
  );
}
