import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DeadLettersPage } from '../ui/dead-letters';
import { TableSkeleton } from '../ui/states';

export const metadata: Metadata = { title: 'Dead letters' };

export default function Page() {
  return (
    <Suspense fallback={<TableSkeleton rows={4} columns={6} label="Loading dead letters" />}>
      <DeadLettersPage />
    </Suspense>
  );
}
