// The "Shape functions" section of a report.html written by `rnam train`, as a PNG through headless
// Chromium (playwright-core, a devDependency), for the pictures in docs/:
//   node bin/rnam.js train examples/data/nafld.csv --id id --time day --target died_within_5y --out out/nafld
//   node --import tsx examples/report-shapes-png.ts out/nafld/report.html docs/nafld-shapes.png
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [report, png] = process.argv.slice(2);
if (!report || !png) throw new Error('usage: report-shapes-png.ts REPORT.html OUT.png');
const executablePath = '/usr/bin/chromium';
if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (apt-get install chromium)`);
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(resolve(report)).href);
  // From the section's heading to the next one.
  const box = await page.evaluate(() => {
    const heads = Array.from(document.querySelectorAll('h2'));
    const i = heads.findIndex((h) => h.textContent === 'Shape functions');
    if (i < 0) return null;
    const top = heads[i].getBoundingClientRect().top + window.scrollY - 8;
    const next = heads[i + 1];
    const bottom = next ? next.getBoundingClientRect().top + window.scrollY - 8 : document.body.scrollHeight;
    return { x: 0, y: top, width: document.body.scrollWidth, height: bottom - top };
  });
  if (!box) throw new Error(`${report}: no 'Shape functions' section`);
  writeFileSync(png, await page.screenshot({ type: 'png', clip: box, fullPage: true }));
} finally {
  await browser.close();
}
