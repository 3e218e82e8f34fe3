/**
 * Writes schema/bluegreen.schema.json from the config schema (src/config/schema.ts), the same source as the
 * validator. Run with `npm run schema` after changing the schema; test/unit/config/schema-file.test.ts fails
 * while the committed file differs from what this writes.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText, JSON_SCHEMA_PATH } from '../src/config/schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, JSON_SCHEMA_PATH);
await writeFile(target, configJsonSchemaText(), 'utf8');
console.log(`wrote ${path.relative(process.cwd(), target) || target}`);
