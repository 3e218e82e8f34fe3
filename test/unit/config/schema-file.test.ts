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

  it('rejects unknown keys at every level, of every strategy, so editors flag typos too', () => {
    const schema = JSON.parse(configJsonSchemaText()) as JsonObject;
    const objects: JsonObject[] = [];
    const walk = (s: JsonObject) => {
      if (s.type === 'object') objects.push(s);
      for (const child of Object.values((s.properties ?? {}) as Record<string, JsonObject>)) walk(child);
      for (const member of (s.oneOf ?? []) as JsonObject[]) walk(member);
      if (s.items) walk(s.items as JsonObject);
    };
    walk(schema);
    expect(objects.length).toBeGreaterThan(20);
    expect(objects.some((o) => Object.hasOwn(o.properties as JsonObject, 'tries'))).toBe(true); // gates.http[], a list's mapping
    for (const o of objects) expect(o.additionalProperties).toBe(false);
  });

  it('is one mapping per strategy, told apart by strategy', () => {
    const schema = JSON.parse(configJsonSchemaText()) as JsonObject;
    const members = schema.oneOf as JsonObject[];
    const strategies = members.map((m) => ((m.properties as Record<string, JsonObject>).strategy as JsonObject).const);
    expect(strategies).toEqual(['replica-dns', 'swap-instances', 'replica-listener']);
    const keys = (m: JsonObject) => Object.keys(m.properties as JsonObject);
    const [replicaDns, swap, replicaListener] = members as [JsonObject, JsonObject, JsonObject];
    expect(keys(replicaDns)).toContain('dns');
    expect(keys(swap)).not.toContain('dns');
    expect(keys(replicaListener)).not.toContain('dns');
    expect(replicaListener.required).toContain('listener');
    for (const key of ['traffic', 'gates']) {
      expect(keys(replicaDns)).toContain(key);
      expect(keys(replicaListener)).toContain(key);
      expect(keys(swap)).not.toContain(key);
    }
    for (const m of members) expect(keys(m)).toContain('launch');
  });

  it('says, for editors, that gates holds at least one of alarms and http', () => {
    const schema = JSON.parse(configJsonSchemaText()) as JsonObject;
    const gates = ((schema.oneOf as JsonObject[])[2]?.properties as Record<string, JsonObject>).gates as JsonObject;
    expect(gates.anyOf).toEqual([{ required: ['alarms'] }, { required: ['http'] }]);
  });

  it('says, for editors, that a release is an image or commands, and via goes with commands', () => {
    const schema = JSON.parse(configJsonSchemaText()) as JsonObject;
    const release = ((schema.oneOf as JsonObject[])[1]?.properties as Record<string, JsonObject>).release as JsonObject;
    expect(release.oneOf).toEqual([{ required: ['image'] }, { required: ['commands'] }]);
    expect(release.dependencies).toEqual({ via: ['commands'] });
  });
});

type JsonObject = Record<string, unknown>;
