/**
 * The human version of an artifact id. CDEvents documents artifact ids as package URLs
 * (`pkg:type/namespace/name@version?qualifiers#subpath`); the schemas only require a non-empty
 * string. Prefers a `tag` qualifier (an OCI image's readable version) over the version part, which
 * for images is usually a digest. Returns null when no version can be read. Pure.
 */
export function versionOfArtifact(artifactId: string | null | undefined): string | null {
  if (!artifactId) return null;
  const purl = /^pkg:([^/]+)\/([^?#]*?)(?:@([^?#]+))?(?:\?([^#]*))?(?:#.*)?$/.exec(artifactId);
  if (purl) {
    const qualifiers = new URLSearchParams(purl[4] ?? '');
    const tag = qualifiers.get('tag');
    if (tag) return tag;
    if (purl[3]) return safeDecode(purl[3]);
    return null;
  }
  // Not a purl: `name:tag`, `name@digest` or a bare version.
  const at = artifactId.lastIndexOf('@');
  if (at > 0) return artifactId.slice(at + 1);
  const colon = artifactId.lastIndexOf(':');
  if (colon > 0 && !artifactId.slice(colon + 1).includes('/')) return artifactId.slice(colon + 1);
  return null;
}

/** The artifact's name (`payments` for `pkg:oci/payments@...`), or the id itself. */
export function nameOfArtifact(artifactId: string): string {
  const purl = /^pkg:[^/]+\/(?:[^?#@]*\/)?([^/?#@]+)/.exec(artifactId);
  return purl ? safeDecode(purl[1]!) : artifactId;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
