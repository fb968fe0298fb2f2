// Builds the browser demo (demo/) into a static folder, dist/demo/ by default: the page, its two
// bundles (main.js for the page, worker.js for the training worker, which bundles rnam's browser
// build), uPlot's stylesheet and the Seattle weather data from vega-datasets.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Writes the demo to `outDir`; resolves with the sizes of what it wrote. */
export async function buildDemo(outDir = join(root, 'dist', 'demo'), { minify = true } = {}) {
  const rnamBundle = join(root, 'dist', 'rnam.browser.js');
  if (!existsSync(rnamBundle)) throw new Error(`${rnamBundle} is missing: run npm run build (npm install does) first`);
  mkdirSync(join(outDir, 'data'), { recursive: true });
  await esbuild.build({
    entryPoints: { main: join(root, 'demo', 'src', 'main.ts'), worker: join(root, 'demo', 'src', 'worker.ts') },
    bundle: true, format: 'esm', target: 'es2022', platform: 'browser', minify, sourcemap: true, logLevel: 'warning',
    // The package's public API, as a user's bundler sees it: the browser build of the package root.
    alias: { rnam: rnamBundle },
    outdir: outDir,
  });
  copyFileSync(join(root, 'demo', 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(root, 'demo', 'style.css'), join(outDir, 'style.css'));
  copyFileSync(join(root, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), join(outDir, 'uPlot.min.css'));
  copyFileSync(join(root, 'node_modules', 'vega-datasets', 'data', 'weather.csv'), join(outDir, 'data', 'weather.csv'));
  const size = (f) => statSync(join(outDir, f)).size;
  return { outDir, main: size('main.js'), worker: size('worker.js') };
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? resolve(process.argv[2]) : undefined;
  const r = await buildDemo(out);
  console.log(`build:demo: ${r.outDir} (main.js ${(r.main / 1024).toFixed(0)} KiB, worker.js ${(r.worker / 1024).toFixed(0)} KiB)`);
}
