/** Loads flows and locales from disk, validates them, and fails loudly with file and path. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { validateContent, type ExtraKeys } from './content-validation.ts';
import { flowSchema, tipsSchema, type Flow, type Tips } from './flow-schema.ts';
import { flattenMessages, type Catalog } from './i18n.ts';
import { LOCALES, type Locale } from './types.ts';

export interface Content {
  flow: Flow;
  tips: Tips;
  catalog: Catalog;
}

export class ContentError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid flows or locales:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ContentError';
    this.problems = problems;
  }
}

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ContentPaths {
  flowFile: string;
  tipsFile: string;
  localesDir: string;
}

export const DEFAULT_CONTENT_PATHS: ContentPaths = {
  flowFile: path.join(PROJECT_ROOT, 'flows/diagnosis.yaml'),
  tipsFile: path.join(PROJECT_ROOT, 'flows/tips.yaml'),
  localesDir: path.join(PROJECT_ROOT, 'locales'),
};

function relative(file: string): string {
  return path.relative(PROJECT_ROOT, file) || file;
}

function readYaml(file: string, problems: string[]): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push(`${relative(file)}: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

function parseWith<T>(schema: z.ZodType<T>, data: unknown, file: string, problems: string[]): T | undefined {
  if (data === undefined) return undefined;
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    problems.push(`${relative(file)}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return undefined;
}

function loadCatalog(dir: string, problems: string[]): { catalog: Catalog; keyFiles: Record<string, Map<string, string>> } {
  const catalog = {} as Record<Locale, Map<string, string>>;
  const keyFiles: Record<string, Map<string, string>> = {};
  for (const locale of LOCALES) {
    const messages = new Map<string, string>();
    const origins = new Map<string, string>();
    const localeDir = path.join(dir, locale);
    let files: string[] = [];
    try {
      files = readdirSync(localeDir).filter((f) => f.endsWith('.yaml')).sort();
    } catch {
      problems.push(`${relative(localeDir)}: missing locale folder`);
    }
    for (const name of files) {
      const file = path.join(localeDir, name);
      const tree = readYaml(file, problems);
      if (tree === undefined) continue;
      const { entries, errors } = flattenMessages(tree);
      problems.push(...errors.map((e) => `${relative(file)}: ${e}`));
      for (const [key, text] of entries) {
        if (messages.has(key)) problems.push(`${relative(file)}: key "${key}" is also defined in ${origins.get(key)}`);
        messages.set(key, text);
        origins.set(key, relative(file));
      }
    }
    catalog[locale] = messages;
    keyFiles[locale] = origins;
  }
  return { catalog, keyFiles };
}

/** Reads and validates all content; throws a ContentError listing every problem found. */
export function loadContent(paths: ContentPaths = DEFAULT_CONTENT_PATHS, extraKeys: ExtraKeys = []): Content {
  const problems: string[] = [];
  const flow = parseWith(flowSchema, readYaml(paths.flowFile, problems), paths.flowFile, problems);
  const tipsFile = parseWith(tipsSchema, readYaml(paths.tipsFile, problems), paths.tipsFile, problems);
  const { catalog, keyFiles } = loadCatalog(paths.localesDir, problems);
  if (flow && tipsFile) {
    problems.push(
      ...validateContent(flow, tipsFile.tips, catalog, {
        flow: relative(paths.flowFile),
        tips: relative(paths.tipsFile),
        keyFiles,
      }, extraKeys),
    );
  }
  if (problems.length || !flow || !tipsFile) throw new ContentError(problems);
  return { flow, tips: tipsFile.tips, catalog };
}
