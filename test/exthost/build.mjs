// Bundles the extension-host tests (test/exthost/index.ts and the tests it imports) into
// dist/exthost-tests/index.js, with `vscode` left to the extension host.
import { build } from 'esbuild';

await build({
  entryPoints: ['test/exthost/index.ts', 'test/exthost/electron.ts', 'test/exthost/scene.ts'],
  outdir: 'dist/exthost-tests',
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', logLevel: 'warning',
  external: ['vscode', '@vscode/test-electron'],
});
