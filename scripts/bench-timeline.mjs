/* global process, performance, URL, Buffer */
/**
 * Where the time of one `bluegreen` process goes: a preload for the bench (`node --import
 * ./scripts/bench-timeline.mjs dist/cli/main.js deploy ...`), outside the product like
 * test/support/aws-faults.mjs. It records, in ms since the process started (performance.now()):
 *
 *  - each AWS SDK client package loaded (`@aws-sdk/client-*`, by require or import) and how long it took;
 *  - each AWS command: operation, when sent, when answered (from the one smithy Client class every SDK
 *    client extends, as aws-faults.mjs finds it);
 *  - each journal save (its temporary file's open to its rename) and how long it took, and each fsync;
 *  - each engine event the process prints with `--output json` (step started / succeeded);
 *  - the end of the process.
 *
 * At exit it writes the records as JSON to BLUEGREEN_TIMELINE (a file). Nothing of it changes what the
 * product does, only adds a few wrappers that time what they wrap.
 */
import { writeFileSync } from 'node:fs';
import fs from 'node:fs';
import Module, { createRequire, syncBuiltinESMExports } from 'node:module';

const out = process.env.BLUEGREEN_TIMELINE;
const records = { modules: [], calls: [], saves: [], fsyncs: 0, events: [], end: 0 };
const now = () => Math.round(performance.now() * 10) / 10;

// SDK client packages: time each first load through the CommonJS loader (require, and import of CJS).
const load = Module._load;
Module._load = function timedLoad(request, parent, isMain) {
  if (typeof request !== 'string' || !/^@aws-sdk\/client-/.test(request) || Module._cache[safeResolve(request, parent)]) {
    return load.call(this, request, parent, isMain);
  }
  const start = now();
  try {
    return load.call(this, request, parent, isMain);
  } finally {
    records.modules.push({ module: request, start, ms: Math.round((now() - start) * 10) / 10 });
  }
};
function safeResolve(request, parent) {
  try {
    return Module._resolveFilename(request, parent);
  } catch {
    return '';
  }
}

// AWS commands.
const require = createRequire(import.meta.url);
const { Client } = require('@smithy/core/client');
const send = Client.prototype.send;
Client.prototype.send = function timedSend(command, ...rest) {
  const entry = { operation: command.constructor.name.replace(/Command$/, ''), start: now(), end: 0 };
  records.calls.push(entry);
  const result = send.call(this, command, ...rest);
  if (result && typeof result.then === 'function') {
    result.then(
      () => (entry.end = now()),
      () => ((entry.end = now()), (entry.failed = true)),
    );
  }
  return result;
};

// Journal saves and fsyncs. A save (src/state/file-store.ts replaceFile) opens journal.json.<pid>.<n>.tmp and
// renames it over journal.json: timed from that open to the end of that rename, through node:fs/promises,
// which the bundled CLI (dist/cli/cli.cjs) and the modules of an older dist/ both call (syncBuiltinESMExports
// hands the wrappers to ES modules' named imports too).
const TMP = /[/\\]journal\.json\.\d+\.\d+\.tmp$/;
const saveStarts = new Map();
const { open: fsOpen, rename: fsRename } = fs.promises;
fs.promises.open = function timedOpen(file, ...rest) {
  if (typeof file === 'string' && TMP.test(file)) saveStarts.set(file, now());
  return fsOpen.call(this, file, ...rest);
};
fs.promises.rename = async function timedRename(from, ...rest) {
  try {
    return await fsRename.call(this, from, ...rest);
  } finally {
    const start = typeof from === 'string' ? saveStarts.get(from) : undefined;
    if (start !== undefined) {
      saveStarts.delete(from);
      records.saves.push({ start, ms: Math.round((now() - start) * 10) / 10 });
    }
  }
};
for (const name of ['fsync', 'fdatasync', 'fsyncSync', 'fdatasyncSync']) {
  const original = fs[name];
  fs[name] = function countedSync(...args) {
    records.fsyncs++;
    return original.apply(this, args);
  };
}
const fileHandleProto = Object.getPrototypeOf(await fs.promises.open(new URL(import.meta.url), 'r').then(async (h) => (await h.close(), h)));
for (const name of ['sync', 'datasync']) {
  const original = fileHandleProto[name];
  fileHandleProto[name] = function countedSync(...args) {
    records.fsyncs++;
    return original.apply(this, args);
  };
}

syncBuiltinESMExports();

// Engine events, from the JSON lines on stdout.
{
  const write = process.stdout.write;
  let pending = '';
  process.stdout.write = function watched(chunk, ...rest) {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        const e = JSON.parse(line);
        if (typeof e.event === 'string') records.events.push({ event: e.event, step: e.stepId, at: now() });
      } catch {
        // not an event
      }
    }
    return write.call(this, chunk, ...rest);
  };
}

process.on('exit', () => {
  records.end = now();
  if (out) writeFileSync(out, JSON.stringify(records));
});
