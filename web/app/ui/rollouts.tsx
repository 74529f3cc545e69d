'use client';
import { useSearchParams } from 'next/navigation';
import { RolloutPage } from './rollout-detail';
import { RolloutListPage } from './rollout-list';

/** `/rollouts/`: the list, or with `?id=` one rollout (static export: entities travel in the query string). */
export function RolloutsRoute() {
  const id = useSearchParams().get('id');
  return id ? <RolloutPage key={id} id={id} /> : <RolloutListPage />;
}
