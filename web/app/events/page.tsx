import type { Metadata } from 'next';
import { Suspense } from 'react';
import { EventPage, EventSkeleton } from '../ui/event';

export const metadata: Metadata = { title: 'Event' };

export default function Page() {
  return (
    <Suspense fallback={<EventSkeleton />}>
      <EventPage />
    </Suspense>
  );
}
