/** The reference (docs/config.md) and the examples (examples/*.yml) cannot drift from the schema. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { configJsonSchema, JSON_SCHEMA_PATH } from '../../../src/config/schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const EXAMPLE = path.join(ROOT, 'examples/bluegreen.yml');
const EXAMPLES = {
  'replica-dns': EXAMPLE,
  'swap-instances': path.join(ROOT, 'examples/swap-instances.yml'),
  'replica-listener': path.join(ROOT, 'examples/replica-listener.yml'),
};

/**
 * Every key path of the schema, of every strategy (each a oneOf member), once: service, blue,
 * blue.autoScalingGroup, ..., and the keys of a list's mappings as gates.http[].url.
 */
function keyPaths(schema: Record<string, unknown>, prefix = ''): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const members = (schema.oneOf ?? []) as Record<string, unknown>[];
  const items = schema.items as Record<string, unknown> | undefined;
  const paths = [
    ...Object.entries(properties).flatMap(([key, child]) => {
      const here = prefix ? `${prefix}.${key}` : key;
      return [here, ...keyPaths(child, here)];
    }),
    ...members.flatMap((member) => keyPaths(member, prefix)),
    ...(items ? keyPaths(items, `${prefix}[]`) : []),
  ];
  return [...new Set(paths)];
}

function yamlKeyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => yamlKeyPaths(item, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const here = prefix ? `${prefix}.${key}` : key;
    return [here, ...yamlKeyPaths(child, here)];
  });
}

const PATHS = keyPaths(configJsonSchema());

describe('docs/config.md', () => {
  it('documents every key path of the schema', async () => {
    const docs = await readFile(path.join(ROOT, 'docs/config.md'), 'utf8');
    expect(PATHS).toContain('retire.action');
    expect(PATHS).toContain('gates.http[].url');
    const missing = PATHS.filter((p) => !docs.includes(`| \`${p}\` |`));
    expect(missing).toEqual([]);
  });

  it('documents no key that the schema does not have', async () => {
    const docs = await readFile(path.join(ROOT, 'docs/config.md'), 'utf8');
    const rows = [...docs.matchAll(/^\| `([A-Za-z0-9.[\]]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual([...PATHS].sort());
  });
});

describe('examples', () => {
  it.each(Object.entries(EXAMPLES))('%s: %s loads', async (strategy, file) => {
    const config = await loadConfig(file);
    expect(config.strategy).toBe(strategy);
    expect(config.service).toBe('shop');
    expect(config.state.dir).toBe(path.join(ROOT, 'examples/.bluegreen'));
  });

  it('together set every key of the schema', async () => {
    const keys = new Set<string>();
    for (const file of Object.values(EXAMPLES)) for (const k of yamlKeyPaths(parse(await readFile(file, 'utf8')))) keys.add(k);
    expect(keys).toContain('gates.http[].tries');
    expect([...keys].sort()).toEqual([...PATHS].sort());
  });

  it.each(Object.values(EXAMPLES))('%s points editors at the JSON Schema by a path that exists', async (file) => {
    const text = await readFile(file, 'utf8');
    const m = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
    expect(m?.[1]).toBeDefined();
    expect(path.resolve(path.dirname(file), m?.[1] ?? '')).toBe(path.join(ROOT, JSON_SCHEMA_PATH));
  });
});
