import type { Metadata } from 'next';
import { Suspense } from 'react';
import { BlockSkeleton } from '../../ui/states';
import { StartRolloutPage } from '../../ui/rollout-form';

export const metadata: Metadata = { title: 'Start a rollout' };

export default function Page() {
  return (
    <Suspense fallback={<BlockSkeleton lines={10} label="Loading the form" />}>
      <StartRolloutPage />
    </Suspense>
  );
}
