// Browser benchmark of the built page (not part of the test suite): simulated records per
// second of the wasm simulator inside the page, and the page's frame time while playing.
// Usage: serve dist/ (e.g. ./scripts/serve.sh), then
//   node tools/bench_page.mjs http://127.0.0.1:8080/
import { createRequire } from 'module';
const require = createRequire(new URL('../tests/e2e/package.json', import.meta.url));
const { chromium } = require('@playwright/test');

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const t0 = Date.now();
await page.goto(url);
await page.waitForSelector('body[data-ready="true"]');
console.log(`page ready in ${Date.now() - t0} ms (load + wasm instantiate + first frame)`);

// Simulator throughput in wasm: the benchmark world of crates/core/benches/sim.rs.
const sim = await page.evaluate(() => {
  const s = window.streamscope;
  s.apply('sim.produce.rate', '1000000');
  s.apply('sim.keys', '0');
  const before = s.snapshot().records_sent;
  const t = performance.now();
  s.runUntilMs(1000);
  const ms = performance.now() - t;
  const sent = s.snapshot().records_sent - before;
  return { ms, sent };
});
console.log(`wasm simulator: ${sim.sent} records in ${sim.ms.toFixed(0)} ms = ${(sim.sent / sim.ms / 1000).toFixed(2)} M records/s`);

// Frame time while playing the preset at 1x (requestAnimationFrame deltas over 5 s).
await page.reload();
await page.waitForSelector('body[data-ready="true"]');
const frames = await page.evaluate(async () => {
  window.streamscope.setSpeed(1);
  document.getElementById('play').click();
  const deltas = [];
  let last = performance.now();
  const end = last + 5000;
  await new Promise((resolve) => {
    const tick = (t) => {
      deltas.push(t - last);
      last = t;
      if (t < end) requestAnimationFrame(tick); else resolve();
    };
    requestAnimationFrame(tick);
  });
  deltas.sort((a, b) => a - b);
  return { n: deltas.length, p50: deltas[Math.floor(deltas.length * 0.5)], p95: deltas[Math.floor(deltas.length * 0.95)] };
});
console.log(`frames while playing: ${frames.n} in 5 s, median ${frames.p50.toFixed(1)} ms, p95 ${frames.p95.toFixed(1)} ms`);
await browser.close();
