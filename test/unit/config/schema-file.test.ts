import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configJsonSchemaText, JSON_SCHEMA_PATH } from '../../../src/config/schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe(JSON_SCHEMA_PATH, () => {
  it('is what the schema generates (run `npm run schema` after changing src/config/schema.ts)', async () => {
    const committed = await readFile(path.join(ROOT, JSON_SCHEMA_PATH), 'utf8');
    expect(committed).toBe(configJsonSchemaText());
  });

  it('rejects unknown keys at every level, so editors flag typos too', () => {
    const schema = JSON.parse(configJsonSchemaText()) as JsonObject;
    const objects: JsonObject[] = [];
    const walk = (s: JsonObject) => {
      if (s.type === 'object') objects.push(s);
      for (const child of Object.values((s.properties ?? {}) as Record<string, JsonObject>)) walk(child);
    };
    walk(schema);
    expect(objects.length).toBeGreaterThan(1);
    for (const o of objects) expect(o.additionalProperties).toBe(false);
  });
});

type JsonObject = Record<string, unknown>;
