/**
 * Reads the configuration file: YAML -> the one schema -> Config. Every problem becomes a ConfigError
 * issue that names file:line:column, the key path (e.g. `retire.action`), what was expected and what was
 * found. Nothing here touches AWS.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  type Alias,
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
  visit,
  type YAMLError,
} from 'yaml';
import { z } from 'zod';
import { ConfigError, InputError } from '../errors.js';
import {
  anyStrategySchema,
  type Config,
  configSchema,
  imageSchema,
  type ParsedConfig,
  type ResolvedPaths,
  STRATEGIES,
  type StrategyName,
  strategySchema,
  strategySchemas,
  toConfig,
} from './schema.js';

export interface ConfigOverrides {
  /** --image: replaces the release (image or commands) with this image. */
  image?: string;
}

type Issue = ConfigError['issues'][number];
type Segment = string | number;

export async function loadConfig(file: string, overrides: ConfigOverrides = {}): Promise<Config> {
  const absolute = path.resolve(file);
  const source = await readSource(file, absolute);
  const parsed = parseConfigText(source, file, overrides);
  const dir = path.dirname(absolute);
  const paths: ResolvedPaths = {
    stateDir: path.resolve(dir, parsed.state.dir),
    ...(parsed.ssh.configFile !== undefined ? { sshConfigFile: path.resolve(dir, expandHome(parsed.ssh.configFile)) } : {}),
  };
  return toConfig(parsed, { file: absolute, digest: configDigest(parsed) }, paths);
}

/** `~` and `~/...` as a shell expands them; anything else as it is. */
export function expandHome(p: string, home: string = homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

/**
 * The pure part of loadConfig: text in, the schema's output out (defaults applied, the override applied).
 * `file` only names the file in messages.
 */
export function parseConfigText(text: string, file: string, overrides: ConfigOverrides = {}): ParsedConfig {
  if (overrides.image !== undefined) checkImageOverride(overrides.image);

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    throw new ConfigError(file, sortIssues(yamlProblems.map((e) => yamlIssue(doc, e, at))));
  }

  const top = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) {
    throw new ConfigError(file, [
      {
        path: '',
        line: 1,
        column: 1,
        message: `the file is empty; expected a mapping with at least ${requiredTopKeys()}`,
      },
    ]);
  }
  if (!isMap(top)) {
    throw new ConfigError(file, [
      {
        path: '',
        ...at(top.range[0]),
        message: `expected a mapping of keys (${Object.keys(anyStrategySchema.shape).join(', ')}) at the top level, got ${describeNode(top)}`,
      },
    ]);
  }

  const unresolved = unresolvedAlias(doc);
  if (unresolved) {
    throw new ConfigError(file, [
      {
        path: formatPath(pathAtOffset(doc.contents, unresolved.range[0])),
        ...at(unresolved.range[0]),
        message: `invalid YAML: alias *${unresolved.source} names no anchor; an anchor (&${unresolved.source}) must be set before its alias`,
      },
    ]);
  }
  let data: Record<string, unknown>;
  try {
    data = doc.toJS({ maxAliasCount: 50 }) as Record<string, unknown>;
  } catch (err) {
    // yaml refuses alias expansion beyond maxAliasCount (a "billion laughs" file)
    throw new ConfigError(file, [{ path: '', ...at(top.range[0]), message: `invalid YAML: ${(err as Error).message}` }]);
  }
  if (overrides.image !== undefined) {
    const release = data.release;
    if (release === undefined || release === null) data.release = { image: overrides.image };
    else if (isPlainObject(release)) {
      // An image release in place of the file's; other (unknown) keys stay, so a typo is still reported.
      const { image: _image, commands: _commands, via: _via, ...rest } = release;
      data.release = { ...rest, image: overrides.image };
    }
    // anything else stays, so the schema reports that release is not a mapping
    // bake is about baking the commands' image: an image release has none to bake (unknown keys stay, reported).
    if (isPlainObject(data.bake) && Object.keys(data.bake).every((key) => key === 'reboot')) delete data.bake;
  }

  const strategy = strategyOf(data.strategy);
  const context: Context = { doc, at, ...(strategy ? { strategy } : {}) };
  if (strategy === undefined) {
    // The union stops at an unknown strategy; say what strategy should be, and check the rest against the
    // keys of every strategy, so that one run reports every problem.
    const named = strategySchema.safeParse(data.strategy, { reportInput: true });
    const rest = anyStrategySchema.safeParse(data, { reportInput: true });
    const raw = [
      ...(named.error?.issues ?? []).map((i) => ({ ...i, path: ['strategy', ...i.path] })),
      ...(rest.error?.issues ?? []),
    ] as z.core.$ZodIssue[];
    throw new ConfigError(file, sortIssues(raw.flatMap((i) => schemaIssues(context, i))));
  }

  const result = configSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((i) => schemaIssues(context, i));
  throw new ConfigError(file, sortIssues(issues));
}

/**
 * sha256 hex of the canonical JSON (sorted keys) of the parsed config, after the override: its meaning, not
 * its spelling. Defaults count as written, durations as seconds (90s = 1m30s), the zone id without
 * /hostedzone/, release.via ssh whether written or not, paths (state.dir, ssh.configFile) as written but
 * normalized (./x = x; moving the checkout or another home directory keeps the digest).
 */
export function configDigest(parsed: ParsedConfig): string {
  const paths: ResolvedPaths = {
    stateDir: path.normalize(parsed.state.dir),
    ...(parsed.ssh.configFile !== undefined ? { sshConfigFile: path.normalize(parsed.ssh.configFile) } : {}),
  };
  const { source: _source, ...meaning } = toConfig(parsed, { file: '', digest: '' }, paths);
  return createHash('sha256').update(canonicalJson(meaning)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// ---------------------------------------------------------------------------------------------------------

async function readSource(file: string, absolute: string): Promise<string> {
  try {
    return await readFile(absolute, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `no such file (looked for ${absolute}); examples/bluegreen.yml is a starting point`
        : code === 'EISDIR'
          ? 'is a directory; expected a YAML file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : `${code ?? 'error'}: ${(err as Error).message}`;
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file: ${why}` }]);
  }
}

function checkImageOverride(image: string): void {
  const r = imageSchema.safeParse(image);
  if (!r.success) {
    throw new InputError(`--image ${JSON.stringify(image)}: ${r.error.issues[0]?.message ?? 'invalid'} (it replaces the release of the config)`);
  }
}

function yamlIssue(doc: Document.Parsed, e: YAMLError, at: (offset: number) => { line: number; column: number }): Issue {
  // yaml reports a quote left open where the file ends; point at the quote instead.
  const open = e.code === 'MISSING_CHAR' && /closing .?quote/i.test(e.message) ? unclosedQuote(doc, e.pos[0]) : undefined;
  if (open) {
    const quote = open.type === 'QUOTE_SINGLE' ? "'" : '"';
    return {
      path: formatPath(pathAtOffset(doc.contents, open.range[0])),
      ...at(open.range[0]),
      message: `invalid YAML: the ${quote} that starts this value is never closed (the value runs on to the end of the file)`,
    };
  }
  // After a syntax error the tree is a guess, so only these name a key path.
  const keyPath = e.code === 'DUPLICATE_KEY' || e.code === 'TAG_RESOLVE_FAILED' ? pathAtOffset(doc.contents, e.pos[0]) : [];
  const message =
    e.code === 'DUPLICATE_KEY'
      ? `duplicate key ${JSON.stringify(String(keyPath.at(-1) ?? ''))}; each key may appear only once in a mapping`
      : e.code === 'MULTIPLE_DOCS'
        ? 'the file holds more than one YAML document (a --- separator); expected exactly one'
        : e.code === 'TAG_RESOLVE_FAILED'
          ? `${e.message}; YAML tags are not supported here, expected a plain value`
          : `invalid YAML: ${e.message.replace(/\s+at line \d+, column \d+[\s\S]*$/, '')}`;
  return { path: formatPath(keyPath), ...at(e.pos[0]), message };
}

/** The quoted scalar that a "missing closing quote" error at `offset` belongs to: the last one starting before it. */
function unclosedQuote(doc: Document.Parsed, offset: number): (Scalar & { range: [number, number, number] }) | undefined {
  let found: (Scalar & { range: [number, number, number] }) | undefined;
  visit(doc, {
    Scalar(_key, node) {
      if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range && node.range[0] < offset && node.range[1] >= offset) {
        if (!found || node.range[0] > found.range[0]) found = node as Scalar & { range: [number, number, number] };
      }
    },
  });
  return found;
}

/** The first alias whose anchor is not set before it (toJS would throw without saying where). */
function unresolvedAlias(doc: Document.Parsed): (Alias & { range: [number, number, number] }) | undefined {
  let found: (Alias & { range: [number, number, number] }) | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (node.range && node.resolve(doc) === undefined) {
        found = node as Alias & { range: [number, number, number] };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** What turning schema issues into located messages needs: the tree, offsets to positions, the strategy (when known). */
interface Context {
  doc: Document.Parsed;
  at: (offset: number) => { line: number; column: number };
  strategy?: StrategyName;
}

function schemaIssues(context: Context, issue: z.core.$ZodIssue): Issue[] {
  const { doc, at } = context;
  const where = issue.path.filter((s): s is Segment => typeof s === 'string' || typeof s === 'number');
  const schema = schemaOf(context.strategy);

  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schema, where);
    return issue.keys.map((key) => {
      const keyPath = [...where, key];
      const node = findPair(doc.contents, keyPath);
      const owners = context.strategy ? strategiesWith(keyPath).filter((s) => s !== context.strategy) : [];
      const suggestion = closest(key, known);
      return {
        path: formatPath(keyPath),
        ...(node ? at(rangeOf(node.key)) : {}),
        message:
          owners.length > 0
            ? `${formatPath(keyPath)} is used only by strategy ${owners.join(' and ')}, not by ${context.strategy}: remove it`
            : `unknown key ${JSON.stringify(key)}` +
              (suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : '') +
              `; expected one of: ${known.join(', ')}`,
      };
    });
  }

  const missing = issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
  let location: { line: number; column: number } | Record<string, never> = {};
  if (missing) {
    // Point at the mapping that lacks the key: its parent key, or the top of the document.
    const parent = findPair(doc.contents, where.slice(0, -1));
    location = parent ? at(rangeOf(parent.key)) : doc.contents ? at(doc.contents.range[0]) : {};
  } else {
    const pair = findPair(doc.contents, where);
    if (pair) location = at(rangeOf(pair.value ?? pair.key));
    else if (where.length > 0) {
      // A value the file does not hold is a default (e.g. health.interval against a short health.timeout):
      // point at the nearest key the file has, and say the value is the default.
      for (let n = where.length - 1; n > 0; n--) {
        const ancestor = findPair(doc.contents, where.slice(0, n));
        if (ancestor) {
          location = at(rangeOf(ancestor.key));
          break;
        }
      }
      const message = issueMessage(context, issue, where, missing);
      return [{ path: formatPath(where), ...location, message: `${message} (the default: ${formatPath(where)} is not in the file)` }];
    }
  }

  return [{ path: formatPath(where), ...location, message: issueMessage(context, issue, where, missing) }];
}

function issueMessage(context: Context, issue: z.core.$ZodIssue, where: Segment[], missing: boolean): string {
  if (missing) {
    const description = descriptionAt(schemaOf(context.strategy), where);
    // A key that not every strategy has: say which strategy needs it.
    const forStrategy = context.strategy && strategiesWith(where).length < STRATEGIES.length ? ` for strategy ${context.strategy}` : '';
    return `missing required key${forStrategy}` + (description ? ` (${description})` : '');
  }
  if (issue.code === 'custom' && issue.params?.complete === true) return issue.message;
  const got = `, got ${describeValue(issue.input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return issue.message.startsWith('Invalid input')
        ? `expected ${issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`}${got}`
        : `${issue.message}${got}`;
    case 'invalid_value':
      return issue.message.startsWith('Invalid') ? `expected one of: ${issue.values.map(String).join(', ')}${got}` : `${issue.message}${got}`;
    case 'too_small':
      return issue.origin === 'string' ? `expected at least ${issue.minimum} character(s)${got}` : `${issue.message}${got}`;
    case 'too_big':
      return issue.origin === 'string' ? `expected at most ${issue.maximum} characters${got}` : `${issue.message}${got}`;
    default:
      return `${issue.message}${got}`;
  }
}

// --- the YAML tree -----------------------------------------------------------------------------------------

interface FoundPair {
  key: Node;
  value: Node | null;
}

/**
 * The pair at a key path (its key and value nodes), or undefined when some key on the way is absent.
 * A list item is its own key and value.
 */
function findPair(root: Node | null, where: Segment[]): FoundPair | undefined {
  let node: Node | null = root;
  let found: FoundPair | undefined;
  for (const segment of where) {
    if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (!isNodeLike(item)) return undefined;
      found = { key: item, value: item };
      node = item;
      continue;
    }
    if (!isMap(node)) return undefined;
    const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
    if (!pair || !isNodeLike(pair.key)) return undefined;
    const value = isNodeLike(pair.value) ? pair.value : null;
    found = { key: pair.key, value };
    node = value;
  }
  return found;
}

/** The key path of the deepest key, or key whose value, holds this offset (best effort after a syntax error). */
function pathAtOffset(root: Node | null, offset: number): Segment[] {
  const out: Segment[] = [];
  const holds = (n: unknown): n is Node => isNodeLike(n) && !!n.range && offset >= n.range[0] && offset <= n.range[1];
  let node: Node | null = root;
  while (node && (isMap(node) || isSeq(node))) {
    let next: Node | null = null;
    if (isMap(node)) {
      const byKey = node.items.find((p) => isNodeLike(p.key) && p.key.range && offset >= p.key.range[0] && offset < p.key.range[1]);
      if (byKey) {
        out.push(keyText(byKey.key));
        break;
      }
      // From the key to the end of its value: a tag or anchor sits before the value node's own range.
      const byValue = node.items.find(
        (p) => isNodeLike(p.key) && isNodeLike(p.value) && p.key.range && p.value.range && offset >= p.key.range[0] && offset <= p.value.range[1],
      );
      if (byValue) {
        out.push(keyText(byValue.key));
        next = byValue.value as Node;
      }
    } else {
      const i = node.items.findIndex((item) => holds(item));
      if (i >= 0) {
        out.push(i);
        next = node.items[i] as Node;
      }
    }
    node = next;
  }
  return out;
}

function isNodeLike(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && 'range' in x;
}

function rangeOf(node: Node): number {
  return node.range?.[0] ?? 0;
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function describeNode(node: Node): string {
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return describeValue(node.value);
  return 'something else';
}

// --- the schema tree ---------------------------------------------------------------------------------------

/** A known strategy name, or undefined. */
function strategyOf(value: unknown): StrategyName | undefined {
  return STRATEGIES.find((s) => s === value);
}

/** The mapping a file is checked against: its strategy's, or (strategy missing or unknown) every strategy's keys. */
function schemaOf(strategy: StrategyName | undefined): z.ZodObject {
  return strategy ? strategySchemas[strategy] : anyStrategySchema;
}

/** The strategies whose mapping has this key path. */
function strategiesWith(where: Segment[]): StrategyName[] {
  return STRATEGIES.filter((s) => schemaAt(strategySchemas[s], where) !== undefined);
}

/** The schema at a key path, looking through defaults and optionals. */
function schemaAt(root: z.core.$ZodType, where: Segment[]): z.core.$ZodType | undefined {
  let s: z.core.$ZodType | undefined = root;
  for (const segment of where) {
    s = unwrap(s);
    if (s instanceof z.ZodArray && typeof segment === 'number') {
      s = s.element;
      continue;
    }
    if (!(s instanceof z.ZodObject)) return undefined;
    const shape = s.shape as Record<string, z.core.$ZodType>;
    s = Object.hasOwn(shape, String(segment)) ? shape[String(segment)] : undefined;
  }
  return s;
}

function unwrap(s: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap();
  return s;
}

function knownKeys(root: z.core.$ZodType, where: Segment[]): string[] {
  const s = unwrap(schemaAt(root, where));
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function descriptionAt(root: z.core.$ZodType, where: Segment[]): string | undefined {
  let s = schemaAt(root, where);
  while (s) {
    const d = (s as z.ZodType).description;
    if (d) return d;
    s = s instanceof z.ZodDefault || s instanceof z.ZodOptional ? s.unwrap() : undefined;
  }
  return undefined;
}

/** "service, strategy, blue, release (and dns for strategy replica-dns)": the keys a file cannot do without. */
function requiredTopKeys(): string {
  const required = (s: z.ZodObject) =>
    Object.entries(s.shape)
      .filter(([, v]) => !(v instanceof z.ZodDefault || v instanceof z.ZodOptional))
      .map(([k]) => k);
  const byStrategy = STRATEGIES.map((s) => ({ strategy: s, keys: required(strategySchemas[s]) }));
  const common = byStrategy[0]?.keys.filter((k) => byStrategy.every((b) => b.keys.includes(k))) ?? [];
  const own = byStrategy.flatMap(({ strategy, keys }) => {
    const extra = keys.filter((k) => !common.includes(k));
    return extra.length > 0 ? [`${extra.join(', ')} for strategy ${strategy}`] : [];
  });
  return common.join(', ') + (own.length > 0 ? ` (and ${own.join('; ')})` : '');
}

// --- small helpers -----------------------------------------------------------------------------------------

export function formatPath(where: ReadonlyArray<Segment>): string {
  return where.reduce<string>((acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'bigint') return `the number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length} ${v.length === 1 ? 'item' : 'items'}`;
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortIssues(issues: Issue[]): Issue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** The known key within edit distance 2 of a typo, if there is one. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { key: c, d };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
