/**
 * Hrefs of the portal's pages. Entities travel in the query string (static export); every value is
 * URL-encoded, so hostile names stay data.
 */

function withQuery(path: string, query: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export const hrefs = {
  matrix: (q?: string) => withQuery('/', { q }),
  service: (name: string) => withQuery('/services/', { name }),
  environment: (name: string) => withQuery('/environments/', { name }),
  environments: () => '/environments/',
  event: (key: string) => withQuery('/events/', { key }),
  deadLetters: () => '/dead-letters/',
  timeline: (filters: Partial<Record<'service' | 'environment' | 'type' | 'since' | 'until' | 'cursor', string | null>> = {}) =>
    withQuery('/timeline/', filters),
  withQuery,
};
