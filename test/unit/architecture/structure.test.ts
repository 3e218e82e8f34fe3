/**
 * The shape of src/strategies that a newcomer reads: no strategy reaches into another strategy's folder
 * (shared code lives in replica/ or common/), and no function there grows past 80 lines.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionLengths, tsFiles } from '../../support/function-lengths.js';

const STRATEGIES = 'src/strategies';
/** Folders under src/strategies that are shared pieces, not strategies. */
const SHARED = new Set(['common', 'replica']);
const MAX_FUNCTION_LINES = 80;

const strategyFolders = () => readdirSync(STRATEGIES).filter((n) => statSync(join(STRATEGIES, n)).isDirectory() && !SHARED.has(n));

/** The top folder under src/strategies a relative import from `file` lands in, if any. */
function targetFolder(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const rel = relative(STRATEGIES, resolve(dirname(file), spec));
  return rel.startsWith('..') ? undefined : rel.split('/')[0];
}

describe('src/strategies', () => {
  it('has the three strategies beside the shared pieces', () => {
    expect(strategyFolders().sort()).toEqual(['replica-dns', 'replica-listener', 'swap-instances']);
  });

  it('no strategy imports another strategy folder', () => {
    const bad: string[] = [];
    for (const own of strategyFolders()) {
      for (const file of tsFiles(join(STRATEGIES, own))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
          const target = targetFolder(file, (m[1] ?? m[2]) as string);
          if (target && target !== own && strategyFolders().includes(target)) bad.push(`${file} imports ${m[1] ?? m[2]}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('shared pieces import no strategy folder', () => {
    const bad: string[] = [];
    for (const shared of SHARED) {
      for (const file of tsFiles(join(STRATEGIES, shared))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)) {
          const target = targetFolder(file, m[1] as string);
          if (target && strategyFolders().includes(target)) bad.push(`${file} imports ${m[1]}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it(`no function is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const long = tsFiles(STRATEGIES)
      .flatMap(functionLengths)
      .filter((f) => f.lines > MAX_FUNCTION_LINES)
      .map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`);
    expect(long).toEqual([]);
  });

  it('the reader counts each function from its first line to its last (so the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bluegreen-lengths-'));
    const file = join(dir, 'sample.ts');
    writeFileSync(
      file,
      [
        'export function three(): number {',
        '  return 3;',
        '}',
        'const one = () => 1;',
        'export const obj = {',
        '  two() {',
        '    return one();',
        '  },',
        '};',
        '',
      ].join('\n'),
    );
    try {
      expect(functionLengths(file).map(({ name, line, lines }) => ({ name, line, lines }))).toEqual([
        { name: 'three', line: 1, lines: 3 },
        { name: 'one', line: 4, lines: 1 },
        { name: 'two', line: 6, lines: 3 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
