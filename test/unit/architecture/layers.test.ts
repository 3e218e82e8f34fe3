import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function imports(dir: string): Array<{ file: string; from: string }> {
  const out: Array<{ file: string; from: string }> = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.ts')) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      out.push({ file: `${dir}/${name}`, from: (m[1] ?? m[2]) as string });
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
    const files = ['src/strategies', 'src/strategies/replica-dns', 'src/strategies/swap-instances', 'src/strategies/common'].flatMap(imports);
    const bad = files.filter(({ from }) => /\/aws\/sdk\/|^@aws-sdk\/(?!client-[a-z0-9-]+$)/.test(from));
    expect(bad).toEqual([]);
    // SDK packages may appear only as type imports (for shapes), never as values.
    for (const dir of ['src/strategies/replica-dns', 'src/strategies/swap-instances', 'src/strategies/common', 'src/remote']) {
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
        const text = readFileSync(join(dir, name), 'utf8');
        expect(text, `${dir}/${name}`).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+['"]@aws-sdk\//m);
      }
    }
  });
});
