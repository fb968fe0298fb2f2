// Runs every test/*.test.ts with uvu (TypeScript through tsx) and ends with the plain summary line
// "N passed, N failed, N skipped" that CI reads.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = ['--import', 'tsx', join(root, 'node_modules', 'uvu', 'bin.js'), 'test', '\\.test\\.ts$', ...process.argv.slice(2)];
const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });

let out = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  out += chunk;
});
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const grab = (label) => Number(plain.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? NaN);
  const total = grab('Total'), passed = grab('Passed'), skipped = grab('Skipped');
  if (!Number.isFinite(total)) {
    console.log(`test runner exited with code ${code} before reporting totals\n0 passed, 1 failed`);
    process.exit(1);
  }
  const failed = total - passed; // uvu counts skipped tests outside Total
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code !== 0 || failed > 0 ? 1 : 0);
});
