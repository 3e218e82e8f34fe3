/**
 * The bad-input corpus (test/fixtures/bad-input/cases.yml): malformed configs and flag combinations, each
 * run through the built CLI as a user would, against one moto server and one blue stack for the file.
 * Every case must exit 2 with its message on stderr, send AWS nothing but reads, and create no state
 * directory.
 *
 * "Nothing but reads" is checked three ways:
 *  - per case, from moto's request recorder: each CLI run carries its own AWS_SDK_UA_APP_ID (the SDK puts
 *    it in the User-Agent as app/<id>), so every request the case sent is found and must be a Describe,
 *    List or Get; a case marked `reads` must have sent some (so the check can fail), any other case none
 *    (it is refused from the config or the flags alone);
 *  - after each case marked `reads`, and at the end, snapshotAws (groups, launch configurations and
 *    templates, policies, load balancers, alarms, images, instances, records) equals the one taken before
 *    the first case;
 *  - at the end, moto's whole state (/moto-api/data.json, every model of every service) equals the one
 *    taken before the first case.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBlueStack, snapshotAws, type BlueStack } from '../support/blue-stack.js';
import { ROOT, runCli } from '../support/cli.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'bad-input');

interface Case {
  name: string;
  config?: string;
  dirs?: string[];
  args: string[];
  stderr: string[];
  stdout?: string;
  reads?: boolean;
}

const cases = parse(await readFile(join(FIXTURES, 'cases.yml'), 'utf8')) as Case[];

let moto: Moto;
let stack: BlueStack;
let root: string;
let baseline: Record<string, unknown>;
let baselineState: string;
let recordingFile: string;

/** The values the fixtures name by {{placeholder}}. */
function values(): Record<string, string> {
  return { group: stack.groupName, image: stack.releaseImageId, zone: stack.hostedZoneId, record: stack.recordName };
}

function fill(text: string, escape: (s: string) => string = (s) => s): string {
  const known = values();
  return text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const value = known[key];
    if (value === undefined) throw new Error(`unknown placeholder ${whole}`);
    return escape(value);
  });
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every file and directory under dir, relative to it, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  body_encoded: boolean;
}

/**
 * Every request moto recorded so far, read from its recording file (none before the first request). A line
 * being written by a request of a case still running may be cut short: skipped, as it is not a finished run's.
 */
async function recording(): Promise<Recorded[]> {
  let text: string;
  try {
    text = await readFile(recordingFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return text.split('\n').flatMap((line) => {
    try {
      return line.trim() === '' ? [] : [JSON.parse(line) as Recorded];
    } catch {
      return [];
    }
  });
}

function header(r: Recorded, name: string): string | undefined {
  const key = Object.keys(r.headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : r.headers[key];
}

/** The AWS operation of a recorded request, as far as the request shows it ("GET /path" for REST reads). */
function operation(r: Recorded): string {
  const target = header(r, 'X-Amz-Target');
  if (target) return target.split('.').at(-1) ?? target;
  const rpc = /\/service\/[^/]+\/operation\/([^/?]+)/.exec(r.url);
  if (rpc) return rpc[1]!;
  const body = r.body ? (r.body_encoded ? Buffer.from(r.body, 'base64').toString('utf8') : r.body) : '';
  const action = new URLSearchParams(body).get('Action');
  if (action) return action;
  return `${r.method} ${new URL(r.url).pathname}`;
}

/** Describe*, List*, Get* and REST GETs read; anything else may write. */
function isRead(r: Recorded): boolean {
  if (r.method === 'GET' || r.method === 'HEAD') return true;
  return /^(Describe|List|Get)[A-Z]/.test(operation(r));
}

async function motoState(): Promise<string> {
  const res = await fetch(`${moto.endpoint}/moto-api/data.json`);
  const text = await res.text();
  if (!res.ok) throw new Error(`moto data.json answered HTTP ${res.status}`);
  return text;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bluegreen-bad-input-'));
  // moto's recorder writes every request it serves to this file once recording is started.
  const saved = process.env.MOTO_RECORDER_FILEPATH;
  recordingFile = join(root, 'moto-recording.jsonl');
  process.env.MOTO_RECORDER_FILEPATH = recordingFile;
  try {
    moto = await startMoto();
  } finally {
    if (saved === undefined) delete process.env.MOTO_RECORDER_FILEPATH;
    else process.env.MOTO_RECORDER_FILEPATH = saved;
  }
  stack = await buildBlueStack(moto.endpoint);
  baseline = await snapshotAws(moto.endpoint);
  baselineState = await motoState();
  const started = await fetch(`${moto.endpoint}/moto-api/recorder/start-recording`, { method: 'POST' });
  await started.arrayBuffer();
  if (!started.ok) throw new Error(`moto start-recording answered HTTP ${started.status}`);
});

afterAll(async () => {
  await moto?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the corpus', () => {
  it('has at least 40 cases, each with a unique name and a message to match', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    for (const c of cases) {
      expect(c.stderr.length, c.name).toBeGreaterThan(0);
      if (c.config) expect(existsSync(join(FIXTURES, c.config)), `${c.name}: ${c.config}`).toBe(true);
    }
  });

  it('uses every file of its directory', async () => {
    const used = new Set(['cases.yml', ...cases.flatMap((c) => (c.config ? [c.config] : []))]);
    expect((await readdir(FIXTURES)).filter((f) => !used.has(f))).toEqual([]);
  });
});

describe.concurrent('bad input: exit 2, the message, no AWS write, no state directory', () => {
  it.each(cases.map((c, i) => ({ ...c, id: `bad-input-${String(i).padStart(3, '0')}` })))('$name', async (c) => {
    const dir = join(root, c.id);
    await mkdir(dir);
    if (c.config) await writeFile(join(dir, c.config), fill(await readFile(join(FIXTURES, c.config), 'utf8')));
    for (const d of c.dirs ?? []) await mkdir(join(dir, d), { recursive: true });
    const before = await tree(dir);

    const r = await runCli(c.args, { cwd: dir, env: { ...awsEnv(moto.endpoint), AWS_SDK_UA_APP_ID: c.id } });
    const shown = `bluegreen ${c.args.join(' ')}\nexit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

    expect(r.code, shown).toBe(2);
    for (const pattern of c.stderr) expect(r.stderr, shown).toMatch(new RegExp(fill(pattern, escapeRegex), 'm'));
    expect(r.stderr, shown).toMatch(/^error: /);
    expect(r.stderr, shown).not.toContain('this is a bug');
    expect(r.stderr, shown).not.toMatch(/^\s+at /m); // no stack trace without --debug
    if (c.stdout === undefined) expect(r.stdout, shown).toBe('');
    else expect(r.stdout, shown).toMatch(new RegExp(c.stdout, 'm'));

    // No journal, no lock, no state directory: the case's directory holds what it held.
    expect(await tree(dir), shown).toEqual(before);

    // What this run sent AWS: reads only.
    const sent = (await recording()).filter((q) => (header(q, 'User-Agent') ?? '').split(' ').includes(`app/${c.id}`));
    const writes = sent.filter((q) => !isRead(q)).map(operation);
    expect(writes, shown).toEqual([]);
    if (c.reads) {
      expect(sent.length, `${shown}\n(expected the run to read AWS before it refused)`).toBeGreaterThan(0);
      expect(await snapshotAws(moto.endpoint)).toEqual(baseline);
    } else {
      // Refused from the config or the flags alone, before any AWS call.
      expect(sent.map(operation), shown).toEqual([]);
    }
  });
});

describe('after every case', () => {
  it("moto's whole state is what it was before the first case", async () => {
    expect((await recording()).length).toBeGreaterThan(0);
    expect(await snapshotAws(moto.endpoint)).toEqual(baseline);
    const now = await motoState();
    // Compare as text (5 MB); on a difference, show which service's models differ.
    if (now !== baselineState) {
      const a = JSON.parse(baselineState) as Record<string, unknown>;
      const b = JSON.parse(now) as Record<string, unknown>;
      const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
      expect(changed).toEqual([]);
    }
    expect(now === baselineState).toBe(true);
  });
});
