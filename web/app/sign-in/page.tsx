import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SignIn } from '../ui/sign-in';

export const metadata: Metadata = { title: 'Sign in' };

export default function Page() {
  return (
    <Suspense fallback={<p className="sign-in__status">Loading sign-in…</p>}>
      <SignIn />
    </Suspense>
  );
}
