import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ServicePage, ServiceSkeleton } from '../ui/service';

export const metadata: Metadata = { title: 'Service' };

export default function Page() {
  return (
    <Suspense fallback={<ServiceSkeleton />}>
      <ServicePage />
    </Suspense>
  );
}
