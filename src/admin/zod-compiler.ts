/**
 * Route schemas written in zod: Fastify validates with them (instead of ajv) and
 * @fastify/swagger documents them (converted with z.toJSONSchema). The idea of
 * fastify-type-provider-zod, in the few lines this API needs.
 */
import type { FastifySchema, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { z } from 'zod';

export const zodValidator: FastifySchemaCompiler<z.ZodType> = ({ schema }) => (data) => {
  const result = schema.safeParse(data);
  return result.success ? { value: result.data } : { error: result.error };
};

/** Answers are built from typed views, so they are only stringified, not checked again. */
export const jsonSerializer: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);

function toJsonSchema(schema: unknown, io: 'input' | 'output'): unknown {
  return schema instanceof z.ZodType ? z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) : schema;
}

/** For @fastify/swagger's `transform`: zod route schemas to JSON Schema. */
export function zodToOpenApi({ schema, url }: { schema: FastifySchema; url: string }): { schema: FastifySchema; url: string } {
  if (!schema) return { schema, url };
  const out: Record<string, unknown> = { ...schema };
  for (const part of ['body', 'querystring', 'params', 'headers'] as const) {
    if (schema[part]) out[part] = stripMeta(toJsonSchema(schema[part], 'input'));
  }
  if (schema.response && typeof schema.response === 'object') {
    out.response = Object.fromEntries(
      Object.entries(schema.response as Record<string, unknown>).map(([code, s]) => [code, stripMeta(toJsonSchema(s, 'output'))]),
    );
  }
  return { schema: out as FastifySchema, url };
}

/** OpenAPI 3.1 takes JSON Schema 2020-12, but not a `$schema` inside each operation. */
function stripMeta(schema: unknown): unknown {
  if (schema && typeof schema === 'object' && '$schema' in schema) {
    const { $schema: _, ...rest } = schema as Record<string, unknown>;
    return rest;
  }
  return schema;
}

/** A zod failure as the API reports it: one line per problem, with its path. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message }));
}
