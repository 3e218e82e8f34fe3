// Registered with `node --import ./test/support/trace-imports.mjs`: appends every module URL that is
// loaded to $TRACE_IMPORTS_FILE, so a test can check that `--version` loads nothing heavy.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (process.env.TRACE_IMPORTS_FILE) appendFileSync(process.env.TRACE_IMPORTS_FILE, url + '\\n');
  return next(url, context);
}`),
);
