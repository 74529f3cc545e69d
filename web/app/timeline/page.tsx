import type { Metadata } from 'next';
import { Suspense } from 'react';
import { TimelinePage, TimelineSkeleton } from '../ui/timeline';

export const metadata: Metadata = { title: 'Timeline' };

export default function Page() {
  return (
    <Suspense fallback={<TimelineSkeleton />}>
      <TimelinePage />
    </Suspense>
  );
}
