// Browser benchmark of the built page's time travel (not part of the test suite; issue 13): the
// preset run to 1,000,000 events, then `window.streamscope.back(1)` at the head (with `live()`
// after each, not timed), `seek(t)` to random times of the run, and `back(1)` from those past
// moments; the wasm memory before and after the run, and the core's estimate of what the
// history holds.
// Usage: serve dist/ (e.g. ./scripts/serve.sh), then
//   node tools/bench_page_history.mjs http://127.0.0.1:8080/ [events, default 1000000]
import { openPage, mb } from './page_session.mjs';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const events = Number(process.argv[3] ?? 1000000);
const { browser, page, wasmBytes } = await openPage(url);
console.log(`start: wasm memory ${mb(await wasmBytes())} MB`);

const t0 = Date.now();
let ms = 0;
for (;;) {
  ms += 20000;
  await page.evaluate((m) => window.streamscope.runUntilMs(m), ms);
  const m = await page.evaluate(() => window.streamscope.moment());
  if (m.events >= events) break;
}
const head = await page.evaluate(() => window.streamscope.moment());
console.log(`${head.events} events, ${(head.time_us / 1e6).toFixed(0)} s simulated in ${((Date.now() - t0) / 1000).toFixed(0)} s wall; wasm memory ${mb(await wasmBytes())} MB`);

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(1)} ms, p95 ${s[Math.floor(s.length * 0.95)].toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms (${s.length} runs)`;
};
const r = await page.evaluate(({ headTime }) => {
  const api = window.streamscope;
  const time = (f) => { const t = performance.now(); f(); return performance.now() - t; };
  let x = 0x2545f491;
  const rand = (below) => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % below; };
  const backLive = [];
  const seek = [];
  const backPast = [];
  for (let i = 0; i < 50; i++) {
    backLive.push(time(() => api.back(1)));
    api.live();
  }
  for (let i = 0; i < 50; i++) {
    const t = rand(headTime);
    seek.push(time(() => api.seek(t)));
    backPast.push(time(() => api.back(1)));
  }
  api.live();
  return { backLive, seek, backPast, hash: api.traceHash() };
}, { headTime: head.time_us });
console.log(`back(1) at the head: ${stats(r.backLive)}`);
console.log(`seek(random time): ${stats(r.seek)}`);
console.log(`back(1) from a random past moment: ${stats(r.backPast)}`);
console.log(`live again: trace hash ${r.hash}; wasm memory ${mb(await wasmBytes())} MB`);
const line = await page.evaluate(() => document.getElementById('memory-use')?.textContent);
console.log(`page memory line: ${line}`);
await browser.close();
