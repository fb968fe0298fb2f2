// SVG to PNG through headless Chromium (playwright-core, a devDependency): browsers draw Vega's SVG
// text and strokes faithfully, where ImageMagick's SVG reader does not.
import { existsSync } from 'node:fs';

export async function svgToPng(svg: string, options: { scale?: number; executablePath?: string } = {}): Promise<Buffer> {
  const executablePath = options.executablePath ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`svgToPng: no Chromium at ${executablePath} (apt-get install chromium)`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  try {
    const width = Number(svg.match(/<svg[^>]*\swidth="([\d.]+)"/)?.[1] ?? 800), height = Number(svg.match(/<svg[^>]*\sheight="([\d.]+)"/)?.[1] ?? 600);
    const page = await browser.newPage({ viewport: { width: Math.ceil(width), height: Math.ceil(height) }, deviceScaleFactor: options.scale ?? 2 });
    await page.setContent(`<!doctype html><html><body style="margin:0;background:white">${svg}</body></html>`);
    return await page.locator('svg').first().screenshot({ type: 'png' });
  } finally {
    await browser.close();
  }
}
