// Browser benchmark of the built page (not part of the test suite; issue 11): the wasm memory
// after an hour of wall time at the page's top speed (5x: 5 simulated hours of the preset
// world), the core's own estimate and retained records as the page shows them, and the frame
// time while playing at 5x afterwards.
// Usage: serve dist/ (e.g. ./scripts/serve.sh), then
//   node tools/bench_page_memory.mjs http://127.0.0.1:8080/ [simulated seconds, default 18000]
import { openPage, mb } from './page_session.mjs';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const simulatedS = Number(process.argv[3] ?? 18000);
const { browser, page, wasmBytes } = await openPage(url);
console.log(`start: wasm memory ${mb(await wasmBytes())} MB`);

const t0 = Date.now();
for (let s = 600; s <= simulatedS; s += 600) {
  await page.evaluate((ms) => window.streamscope.runUntilMs(ms), s * 1000);
  if (s % 3600 === 0) {
    const line = await page.evaluate(() => document.getElementById('memory-use')?.textContent);
    console.log(`${s} s simulated (${((Date.now() - t0) / 1000).toFixed(0)} s wall): wasm memory ${mb(await wasmBytes())} MB; page: ${line}`);
  }
}
const sent = await page.evaluate(() => window.streamscope.snapshot().records_sent);
console.log(`records sent: ${sent}`);

const frames = await page.evaluate(async () => {
  window.streamscope.setSpeed(5);
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
console.log(`frames while playing at 5x after that: ${frames.n} in 5 s, median ${frames.p50.toFixed(1)} ms, p95 ${frames.p95.toFixed(1)} ms`);
console.log(`end: wasm memory ${mb(await wasmBytes())} MB`);
await browser.close();
