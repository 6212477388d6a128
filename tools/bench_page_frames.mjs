// Page budgets (a benchmark, not a test): frame times with at least 5,000 records drawn at
// once, and the time to the first frame. Usage: serve dist/ (./scripts/serve.sh), then
//   node tools/bench_page_frames.mjs [http://127.0.0.1:8080/] [frames=600] [--ab] [--play=S]
// 1. First frame: navigation start to the app's first requestAnimationFrame callback having
//    drawn (performance.now() at its end), beside first-contentful-paint and body[data-ready].
// 2. A crowded world: a high send rate, big batches and a long linger.ms fill the accumulator,
//    on 6 brokers and 12 partitions keep records on screen; it plays until the page reports
//    >= 5,000 records drawn (window.streamscope.drawnRecords(), every record dot and
//    tile the last frame painted on the canvas).
// 3. N frames while playing: requestAnimationFrame deltas, and the page's own work per frame
//    (the time inside its rAF callback, measured by wrapping requestAnimationFrame), as p50 /
//    p95 / max. `--ab` runs the same with the A/B comparison on (world B = the same world with
//    linger.ms=100, drawn on the second canvas: both worlds simulated and drawn every frame).
import { openPage } from './page_session.mjs';

const args = process.argv.slice(2);
const url = args.find((a) => a.startsWith('http')) ?? 'http://127.0.0.1:8080/';
const frames = Number(args.find((a) => /^\d+$/.test(a)) ?? 600);
const ab = args.includes('--ab');
// --play=S: play at least S seconds of wall time before timing (to time two builds at the same
// point of the run, whichever reaches 5,000 records first).
const playS = Number(args.find((a) => a.startsWith('--play='))?.slice(7) ?? 0);

// Before any page script: time every rAF callback (the app's frame work) and the first one.
const instrument = () => {
  const work = [];
  const orig = window.requestAnimationFrame.bind(window);
  window.__frameWork = work;
  window.__firstFrameEnd = null;
  window.requestAnimationFrame = (cb) => orig((t) => {
    const s = performance.now();
    cb(t);
    const e = performance.now();
    work.push(e - s);
    if (window.__firstFrameEnd === null && document.body?.dataset.ready === 'true') {
      window.__firstFrameEnd = e;
    }
  });
  new MutationObserver(() => {
    if (document.body?.dataset.ready === 'true' && window.__readyAt === undefined) {
      window.__readyAt = performance.now();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
};

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(s.length * p))];
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1] };
};
const fmt = (s) => `p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms (n=${s.n})`;

const { browser, page } = await openPage(url, { initScript: instrument });
await page.waitForFunction(() => window.__firstFrameEnd !== null);
const first = await page.evaluate(() => ({
  firstFrame: window.__firstFrameEnd,
  ready: window.__readyAt,
  fcp: performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint')?.startTime,
}));
console.log(`first frame ${first.firstFrame.toFixed(0)} ms after navigation start ` +
  `(body ready ${first.ready?.toFixed(0)} ms, first contentful paint ${first.fcp?.toFixed(0)} ms)`);

// The crowded world. Settings applied through the page's own path (window.streamscope.apply).
// (Before 2026-12-08 the renderer drew at most about 680 records whatever the settings; since
// then log tiles shrink to 2 units and queued batches show their records as small tiles, and
// this world draws 4,300-6,600, depending on which batches are queued.)
const settings = [
  ['sim.brokers', '6'],
  ['num.partitions', '12'],
  ['sim.produce.rate', '50000'],
  ['batch.size', '1048576'],
  ['linger.ms', '5000'],
  ['buffer.memory', '268435456'],
];
const refused = await page.evaluate((settings) => {
  const s = window.streamscope;
  const out = [];
  for (const [n, v] of settings) {
    const r = s.apply(n, v);
    if (r) out.push(`${n}=${v}: ${r}`);
  }
  return out;
}, settings);
if (refused.length) console.log(`refused: ${refused.join('; ')}`);
await page.evaluate(() => document.getElementById('reset')?.click());
if (ab) {
  const r = await page.evaluate(() => window.streamscope.startCompare('linger.ms=100'));
  if (r) console.log(`A/B refused: ${r}`);
}
await page.evaluate(() => {
  window.streamscope.setSpeed(1);
  const play = document.getElementById('play');
  if (play.getAttribute('aria-pressed') !== 'true') play.click();
});
// Play until the page draws at least 5,000 records (or stop waiting after 20 s of wall time),
// and at least --play seconds.
const reached = await page.evaluate(async (playMs) => {
  const t0 = performance.now();
  while (performance.now() - t0 < Math.max(20000, playMs)) {
    await new Promise((r) => setTimeout(r, 250));
    const n = window.streamscope.drawnRecords();
    if (n >= 5000 && performance.now() - t0 >= playMs) return { n, after_ms: performance.now() - t0 };
  }
  return { n: window.streamscope.drawnRecords(), after_ms: performance.now() - t0 };
}, playS * 1000);
console.log(`records drawn: ${reached.n} after ${(reached.after_ms / 1000).toFixed(1)} s of play`);

const measured = await page.evaluate(async (frames) => {
  const work = window.__frameWork;
  work.length = 0;
  const deltas = [];
  const drawn = [];
  let last = null;
  await new Promise((resolve) => {
    const tick = (t) => {
      if (last !== null) deltas.push(t - last);
      last = t;
      drawn.push(window.streamscope.drawnRecords());
      if (deltas.length < frames) requestAnimationFrame(tick); else resolve();
    };
    requestAnimationFrame(tick);
  });
  // Our own tick is one of the wrapped callbacks: keep the app's (the larger of each pair is
  // the app's; ours only reads a counter), by taking every callback above 0.05 ms.
  return { deltas, work: work.filter((w) => w > 0.05), drawnMin: Math.min(...drawn), drawnMax: Math.max(...drawn) };
}, frames);
console.log(`${ab ? 'A/B (world B drawn beside A; records counted on A)' : 'single world'}: records drawn per frame ${measured.drawnMin}..${measured.drawnMax}`);
console.log(`  rAF deltas:       ${fmt(stats(measured.deltas))}`);
console.log(`  page frame work:  ${fmt(stats(measured.work))}`);
await browser.close();
