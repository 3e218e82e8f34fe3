// Registered with `node --import ./test/support/trace-imports.mjs`: appends to $TRACE_IMPORTS_FILE every
// module URL that is loaded, ES modules (a loader hook) and CommonJS files (require, as file URLs), so a
// test can check what a command loads (e.g. that `--version` loads nothing heavy).
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (process.env.TRACE_IMPORTS_FILE) appendFileSync(process.env.TRACE_IMPORTS_FILE, url + '\\n');
  return next(url, context);
}`),
);

const load = Module.prototype.load;
Module.prototype.load = function tracedLoad(filename, ...rest) {
  if (process.env.TRACE_IMPORTS_FILE && typeof filename === 'string' && !filename.startsWith('node:')) {
    appendFileSync(process.env.TRACE_IMPORTS_FILE, `${pathToFileURL(filename).href}\n`);
  }
  return load.call(this, filename, ...rest);
};
