import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tsFiles } from '../../support/function-lengths.js';

/** Every import and re-export of the .ts files under `dir`, at any depth. */
function imports(dir: string): Array<{ file: string; from: string }> {
  const out: Array<{ file: string; from: string }> = [];
  for (const file of tsFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      out.push({ file, from: (m[1] ?? m[2]) as string });
    }
  }
  return out;
}

describe('layers', () => {
  it('the engine knows nothing of AWS, strategies, the CLI or the config', () => {
    const bad = imports('src/engine').filter(({ from }) => /@aws-sdk|\/aws\/|\/strategies\/|\/cli\/|\/config\//.test(from));
    expect(bad).toEqual([]);
  });

  it('strategies reach AWS only through the ports, never the SDK or its adapters', () => {
    const files = imports('src/strategies');
    expect(files.length).toBeGreaterThan(100); // every folder, replica/fronts/* included
    const bad = files.filter(({ from }) => /\/aws\/sdk\/|^@aws-sdk\/(?!client-[a-z0-9-]+$)/.test(from));
    expect(bad).toEqual([]);
    // SDK packages may appear only as type imports (for shapes), never as values.
    for (const file of [...tsFiles('src/strategies'), ...tsFiles('src/remote')]) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+['"]@aws-sdk\//m);
    }
  });
});
