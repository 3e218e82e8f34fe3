/**
 * Bundles the command line (src/cli/run.ts and everything it imports: our modules, zod, yaml, commander
 * and the small packages) into one CommonJS file, dist/cli/cli.cjs, with its source map; `npm run build`
 * runs it after tsc. The bin (dist/cli/main.js, from src/cli/main.ts) loads it; the library (dist/index.js)
 * stays tsc's modules.
 *
 * Left out, loaded by require as before: the AWS SDK packages (@aws-sdk/*, @smithy/*), which
 * src/aws/sdk/clients.ts requires by name, each on its first call, through the code cache
 * (src/aws/sdk/compile-cache.ts), and which test/support/aws-faults.mjs and the bench's timeline find
 * by their package.
 *
 * CommonJS, not an ES module, because Node 20 caches compiled code for CommonJS only (the bin loads the
 * bundle through compile-cache.ts). import.meta.url, which some modules use to find package.json or
 * to require, is the bundle's own file URL: dist/cli/ is where those modules were, so '../../package.json'
 * is the same file.
 */
/* global URL */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/run.ts'],
  outfile: 'dist/cli/cli.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@aws-sdk/*', '@smithy/*'],
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Stack traces with --debug name src/*.ts (src/cli/main.ts turns Node's source maps on); the map points
  // at the sources, which the npm package does not carry, so it leaves their text out.
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
});
