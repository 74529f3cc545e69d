import { Suspense } from 'react';
import { Matrix, MatrixSkeleton } from './ui/matrix';

export default function HomePage() {
  return (
    <>
      <div className="page-head">
        <h1>What runs where</h1>
        <p className="page-head__lede">Current version of every service in every environment. Refreshes every 10 seconds.</p>
      </div>
      <Suspense fallback={<MatrixSkeleton />}>
        <Matrix />
      </Suspense>
    </>
  );
}
