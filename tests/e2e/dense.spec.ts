import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, runUntilMs } from './helpers';

// A crowded world (issue 14's budget: at least 5,000 records drawn at once): the logs' tiles
// shrink to 2 units as records pile up and queued batches show their records as small tiles,
// every one a real record; a click on a dense tile opens that record in the inspector, the
// tile beside it its neighbour. Counted by window.streamscope.drawnRecords() (records painted
// on the canvas) and listed by hitTargets().

type HitTarget = { x: number; y: number; w: number; h: number; kind: string; record_id?: number };

const CROWDED: [string, string][] = [
  ['sim.brokers', '6'],
  ['num.partitions', '12'],
  ['sim.produce.rate', '50000'],
  ['batch.size', '1048576'],
  ['linger.ms', '5000'],
  ['buffer.memory', '268435456'],
];

async function clickCanvas(page: Page, x: number, y: number) {
  const scale = await page.evaluate(
    () => document.querySelector('canvas')!.clientWidth / (window as any).streamscope.canvasWidth,
  );
  await page.locator('#canvas').click({ position: { x: x * scale, y: y * scale } });
}

/** Clicks the centre of `hit` and expects the inspector to show its record: its details, or
 *  (at 50,000 records/s most drawn records are older than the journal's last 8,192 sent, and
 *  than the last 512 per partition) the note that names it. */
async function expectInspected(page: Page, hit: HitTarget) {
  await clickCanvas(page, hit.x + hit.w / 2, hit.y + hit.h / 2);
  const inspector = page.getByRole('complementary', { name: 'Record inspector' });
  await expect(inspector).toBeVisible();
  const known = await page.evaluate((id) => (window as any).streamscope.recordInfo(id) !== null, hit.record_id);
  if (known) {
    await expect(inspector.locator('dd[data-field="record"]')).toHaveText(new RegExp(`^${hit.record_id}\\b`));
  } else {
    await expect(page.locator('#inspector-note')).toHaveText(new RegExp(`^Record ${hit.record_id} is no longer in the journal`));
  }
}

test.use({ locale: 'en-US' });

test('a crowded world draws at least 5,000 records and a click on a dense tile opens that record', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = collectProblems(page);
  await open(page);
  for (const [name, value] of CROWDED) {
    expect(await page.evaluate(([n, v]) => (window as any).streamscope.apply(n, v), [name, value]), name).toBeNull();
  }
  await page.locator('#reset').click();
  await runUntilMs(page, 4000);
  await expect
    .poll(() => page.evaluate(() => (window as any).streamscope.drawnRecords()), { timeout: 20_000 })
    .toBeGreaterThanOrEqual(5000);
  const drawn = await page.evaluate(() => {
    const s = (window as any).streamscope;
    const hits: HitTarget[] = s.hitTargets().filter((h: HitTarget) => h.kind === 'record');
    return { count: s.drawnRecords(), hits };
  });
  // Every record counted is listed, each in one place only.
  expect(drawn.hits.length).toBe(drawn.count);
  expect(new Set(drawn.hits.map((h) => `${h.x},${h.y}`)).size).toBe(drawn.count);
  // Dense log tiles (the broker column, 2 units wide) and dense batch tiles (the accumulator).
  const logTiles = drawn.hits.filter((h) => h.x >= 560 && h.x < 912 && h.w <= 2);
  const batchTiles = drawn.hits.filter((h) => h.x >= 218 && h.x < 518 && h.w <= 3 && h.h <= 3);
  expect(logTiles.length).toBeGreaterThan(1000);
  expect(batchTiles.length).toBeGreaterThan(1000);
  // Pause, so that the frame clicked is the frame measured.
  if ((await page.locator('#play').getAttribute('aria-pressed')) === 'true') await page.locator('#play').click();
  // A tile in the middle of a log row, then the one right of it (2 units on): each opens its own.
  const rowY = logTiles[Math.floor(logTiles.length / 2)].y;
  const row = logTiles.filter((h) => h.y === rowY).sort((a, b) => a.x - b.x);
  const mid = row[Math.floor(row.length / 2)];
  const next = row.find((h) => h.x === mid.x + 2)!;
  expect(next, 'the next tile of the row').toBeDefined();
  expect(new Set(row.map((h) => h.record_id)).size, 'a record per tile').toBe(row.length);
  await expectInspected(page, mid);
  await expectInspected(page, next);
  // A queued batch's tile.
  await expectInspected(page, batchTiles[Math.floor(batchTiles.length / 3)]);
  expect(problems).toEqual([]);
});

test('"Log tiles: Always large" keeps 10 px log tiles, by keyboard, and leaves the simulation alone', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = collectProblems(page);
  await open(page);
  expect(await page.evaluate(() => (window as any).streamscope.apply('sim.produce.rate', '2000'))).toBeNull();
  await page.locator('#reset').click();
  await runUntilMs(page, 3000);
  const logTileWidths = () =>
    page.evaluate(() => {
      const s = (window as any).streamscope;
      const w = s.hitTargets().filter((h: HitTarget) => h.kind === 'record' && h.x >= 560 && h.x < 912).map((h: HitTarget) => h.w);
      return [...new Set(w)].sort();
    });
  await expect.poll(logTileWidths).toEqual([2]);
  const before = await page.evaluate(() => ({ hash: (window as any).streamscope.traceHash(), moment: (window as any).streamscope.moment() }));
  const control = page.getByRole('combobox', { name: 'Log tiles' });
  await control.focus();
  await page.keyboard.press('ArrowDown');
  await expect(control).toHaveValue('large');
  await expect.poll(logTileWidths).toEqual([9]);
  const after = await page.evaluate(() => ({ hash: (window as any).streamscope.traceHash(), moment: (window as any).streamscope.moment() }));
  expect(after).toEqual(before);
  await control.selectOption('auto');
  await expect.poll(logTileWidths).toEqual([2]);
  // Said in Korean too.
  await page.locator('#lang').click();
  await expect(page.getByRole('combobox', { name: '로그 타일' })).toBeVisible();
  expect(problems).toEqual([]);
});
