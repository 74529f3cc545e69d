import { ValidationError } from '../errors';

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const VALID_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** The `${NAME}` placeholders in a text, in order, without duplicates. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/**
 * Why a text's placeholders are malformed (lower-case name, `${` without a closing brace), or
 * null when they are fine.
 */
export function placeholderProblem(text: string): string | null {
  for (const name of placeholdersIn(text)) if (!VALID_NAME.test(name)) return `placeholder \${${name}} must be upper-case (A-Z, 0-9, _)`;
  if (text.replace(PLACEHOLDER, '').includes('${')) return 'a "${" does not start a placeholder of the form ${NAME}';
  return null;
}

/**
 * Replaces `${NAME}` placeholders with `values[NAME]`. Pure: the caller passes the values (e.g.
 * from its runtime config), the core never reads the environment.
 *
 * @throws ValidationError (`missing_placeholder`, on `field`) naming every placeholder without a value.
 */
export function resolvePlaceholders(text: string, values: Readonly<Record<string, string | undefined>>, field = 'url'): string {
  const missing = placeholdersIn(text).filter((name) => values[name] === undefined);
  if (missing.length > 0) {
    throw new ValidationError(`${field}: no value for ${missing.map((n) => `\${${n}}`).join(', ')}`, field, 'missing_placeholder');
  }
  return text.replace(PLACEHOLDER, (_, name: string) => values[name]!);
}
