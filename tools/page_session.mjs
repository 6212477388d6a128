// What the page benchmarks share (not part of the test suite): Debian's Chromium launched as
// the e2e tests launch it, the built page opened and ready, and the wasm instance's memory.
import { createRequire } from 'module';
const require = createRequire(new URL('../tests/e2e/package.json', import.meta.url));
const { chromium } = require('@playwright/test');

/** Opens `url` at 1440 x 900 (with `initScript` run before any page script, when given);
 *  returns the browser, the page, and `wasmBytes()`. */
export async function openPage(url, { initScript } = {}) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // Trunk's loader announces the instance's exports (with its `memory`) once it started.
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail.wasm; });
  });
  if (initScript) await page.addInitScript(initScript);
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  const wasmBytes = () => page.evaluate(() => window.__wasm?.memory?.buffer?.byteLength ?? -1);
  return { browser, page, wasmBytes };
}

/** Bytes as MB with one decimal. */
export const mb = (b) => (b / 1048576).toFixed(1);
