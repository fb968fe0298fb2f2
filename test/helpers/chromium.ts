// Headless Chromium for the browser suites: Debian's chromium, driven by playwright-core, with
// WebGPU on SwiftShader's Vulkan (the CPU driver Chromium ships). `why` says what is missing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const BROWSER_BUNDLE = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist', 'rnam.browser.js');

export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-vulkan=swiftshader',
  '--enable-webgpu-developer-features',
];

/** playwright-core when Chromium and the browser bundle are there, else the reason it is not. */
export async function loadPlaywright(): Promise<{ playwright: typeof import('playwright-core') | null; why: string }> {
  if (!existsSync(CHROMIUM)) return { playwright: null, why: `no Chromium at ${CHROMIUM} (apt-get install chromium libvulkan1)` };
  if (!existsSync(BROWSER_BUNDLE)) return { playwright: null, why: `${BROWSER_BUNDLE} is not built (npm run build)` };
  try {
    return { playwright: await import('playwright-core'), why: '' };
  } catch (err) {
    return { playwright: null, why: `playwright-core is not installed (${(err as Error).message.split('\n')[0]})` };
  }
}
