import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AdminPage } from '../ui/admin';
import { BlockSkeleton } from '../ui/states';

export const metadata: Metadata = { title: 'Admin' };

export default function Page() {
  return (
    <Suspense fallback={<BlockSkeleton lines={8} label="Loading the admin page" />}>
      <AdminPage />
    </Suspense>
  );
}
