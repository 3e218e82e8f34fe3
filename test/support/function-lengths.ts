/**
 * The length in lines of every function in a tree of TypeScript files (declarations, methods, arrow
 * functions and function expressions, each counted from its first line to its last), read with the
 * TypeScript compiler's own parser. For the architecture test and for figures (`node --import tsx
 * test/support/function-lengths.ts src/strategies` prints the longest).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export interface FunctionLength {
  file: string;
  /** The function's name, or `<anonymous>` with the line it starts on. */
  name: string;
  line: number;
  lines: number;
}

export function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node)) && node.name) {
    return node.name.getText(source);
  }
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  return '<anonymous>';
}

export function functionLengths(file: string): FunctionLength[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      out.push({ file, name: nameOf(node, source), line: start, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

export function longestFunctions(dir: string, limit = 10): FunctionLength[] {
  return tsFiles(dir)
    .flatMap(functionLengths)
    .sort((a, b) => b.lines - a.lines)
    .slice(0, limit);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  for (const f of longestFunctions(process.argv[2] ?? 'src/strategies', Number(process.argv[3] ?? 15))) {
    console.log(`${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}`);
  }
}
