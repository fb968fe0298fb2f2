// An SVG to a PNG through headless Chromium (ImageMagick draws Vega's SVG badly): for the pictures
// the examples commit. Returns false, saying why, when Chromium is not installed.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export async function svgToPng(svgPath: string, pngPath: string, chromium = '/usr/bin/chromium'): Promise<boolean> {
  if (!existsSync(chromium)) {
    console.log(`(no PNG: ${chromium} not found; the SVG is at ${svgPath})`);
    return false;
  }
  const { chromium: launcher } = await import('playwright-core');
  const browser = await launcher.launch({ executablePath: chromium, args: ['--no-sandbox'] });
  try {
    const svg = await readFile(svgPath, 'utf8');
    const page = await browser.newPage({ deviceScaleFactor: 2 });
    await page.setContent(`<!doctype html><body style="margin:0;background:#fff">${svg}</body>`);
    await page.locator('svg').first().screenshot({ path: pngPath });
    return true;
  } finally {
    await browser.close();
  }
}
