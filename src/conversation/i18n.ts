/** Locale catalogs: flat `dotted.key -> text` maps per language, with `{name}` placeholders. */
import type { Locale } from './types.ts';

export type Catalog = Record<Locale, ReadonlyMap<string, string>>;
export type Vars = Record<string, string | number>;

export function interpolate(template: string, vars: Vars = {}): string {
  return template.replace(/\{([a-z_][a-z0-9_]*)\}/gi, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([a-z_][a-z0-9_]*)\}/gi)].map((m) => m[1]!).sort();
}

/**
 * Looks a key up. Content is validated at startup, so a missing key here is a programming
 * error (a key used in code but not declared in SYSTEM_KEYS), not a user-facing condition.
 */
export function translate(catalog: Catalog, locale: Locale, key: string, vars?: Vars): string {
  const text = catalog[locale].get(key);
  if (text === undefined) throw new Error(`locale key "${key}" is missing in ${locale}`);
  return interpolate(text, vars);
}

/** Flattens nested YAML maps into dotted keys; returns errors for non-string leaves. */
export function flattenMessages(tree: unknown, prefix = ''): { entries: [string, string][]; errors: string[] } {
  const entries: [string, string][] = [];
  const errors: string[] = [];
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    return { entries, errors: [`${prefix || '(root)'}: expected a map of keys`] };
  }
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') entries.push([path, value.replace(/\n+$/, '')]);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const nested = flattenMessages(value, path);
      entries.push(...nested.entries);
      errors.push(...nested.errors);
    } else errors.push(`${path}: expected text, got ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return { entries, errors };
}
