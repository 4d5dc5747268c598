// Build script: bundles the extension, the debug adapter and the CLI into dist/ with esbuild.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
};

const entries = [
  { in: 'src/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  { in: 'src/adapter/main.ts', out: 'dist/adapter.js', banner: '#!/usr/bin/env node' },
  { in: 'src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'src/cli/conformance.ts', out: 'dist/conformance.js', banner: '#!/usr/bin/env node' },
];

await Promise.all(entries.map((e) => build({
  ...common,
  entryPoints: [e.in],
  outfile: e.out,
  external: e.external ?? [],
  banner: e.banner ? { js: e.banner } : undefined,
})));
for (const e of entries) if (e.banner) chmodSync(e.out, 0o755);
