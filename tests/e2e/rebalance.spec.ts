import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, runUntilMs, snapshot } from './helpers';

// Consumer groups in the canvas (issue 5): each group's panel names its rebalance phases as the
// group goes through them, draws the group's lag with records-lag-max, and the controls add a
// partition and choose the rebalance protocol.

test.use({ locale: 'en-US' });

async function panels(page: Page): Promise<any[]> {
  return page.evaluate(() => (window as any).streamscope.groupPanels());
}

/** Opens the page (seed 1, deterministic), runs to 2 s and adds a consumer to g1. */
async function addMemberAt2s(page: Page) {
  await open(page);
  await runUntilMs(page, 2000);
  await page.locator('#add-consumer').click();
  await expect(page.locator('#message')).toContainText('consumer added to group #0');
}

test('a new member: the indicator names Join, Assign, Sync, Stable and ends in a higher generation', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runUntilMs(page, 2000);
  let [g] = await panels(page);
  const s = await snapshot(page);
  expect(g.phase).toBe('stable');
  expect(g.generation).toBe(1);
  expect(g.coordinator).toBe(s.groups[0].coordinator);
  expect(g.rebalance_protocol).toBe('eager');

  await page.locator('#add-consumer').click();
  await runUntilMs(page, 2500);
  [g] = await panels(page);
  // The new member's JoinGroup put the group in PreparingRebalance; the others learn it from
  // their next heartbeat.
  expect(g.phase).toBe('join');
  expect(g.phase_name).toBe('Join');
  expect(g.phase_text).toContain('PreparingRebalance');
  expect(g.phase_text).toContain('1 of 3');

  await runUntilMs(page, 8000);
  [g] = await panels(page);
  expect(g.phase).toBe('stable');
  expect(g.generation).toBe(2);
  // The trace-read history: the four phases in order, into generation 2.
  const steps = g.history.filter((h: any) => h.time_us > 2_000_000);
  expect(steps.map((h: any) => h.phase)).toEqual(['join', 'assign', 'sync', 'stable']);
  expect(steps[3].generation).toBe(2);
  const times = steps.map((h: any) => h.time_us);
  expect([...times].sort((a: number, b: number) => a - b)).toEqual(times);

  // The same run again (same seed, same change at the same time), stopped at each phase's
  // start: the live indicator shows it, driven by the group's state.
  await page.reload();
  await addMemberAt2s(page);
  for (const step of steps) {
    await runUntilMs(page, step.time_us / 1000);
    const [live] = await panels(page);
    expect(live.phase, `at ${step.time_us} us`).toBe(step.phase);
  }
  expect(problems).toEqual([]);
});

test('the group lag chart draws lag, committed lag and records-lag-max with a legend', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  // A member that spends 50 ms per record falls behind, so the lags are not all zero.
  await page.locator('#consumer-index').fill('0');
  await page.locator('#slow-ms').fill('50');
  await page.locator('#slow-consumer').click();
  await runUntilMs(page, 10000);
  const [g] = await panels(page);
  const s = await snapshot(page);
  const view = s.groups[0];
  expect(g.chart.samples).toBeGreaterThan(50);
  // records-lag-max of the newest sample: the largest partition lag, from the core's samples.
  const last = view.partition_lag_history[view.partition_lag_history.length - 1];
  const max = Math.max(...last[1].map((p: number[]) => p[0]));
  expect(g.chart.records_lag_max).toBe(max);
  const [, lag, committed] = view.lag_history[view.lag_history.length - 1];
  expect(g.chart.lag).toBe(lag);
  expect(g.chart.committed_lag).toBe(committed);
  expect(g.chart.peak).toBeGreaterThanOrEqual(Math.max(lag, committed));
  expect(g.chart.records_lag_max).toBeGreaterThan(0);
  expect(g.chart.records_lag_max_peak).toBeGreaterThanOrEqual(g.chart.records_lag_max);
  expect(g.chart.lag).toBeGreaterThan(g.chart.records_lag_max);
  // The records-lag-max line (#8250df) and the lag line (#bf8700) are on the canvas in the
  // plot area (the bottom of the group's panel, below the legend's swatches).
  const found = await page.evaluate((box) => {
    const c = document.getElementById('canvas') as HTMLCanvasElement;
    const ratio = c.width / (window as any).streamscope.canvasWidth;
    const ctx = c.getContext('2d')!;
    const top = box.y + box.h * 0.65;
    const img = ctx.getImageData(box.x * ratio, top * ratio, box.w * ratio, box.h * 0.35 * ratio).data;
    // By hue, since thin lines are blended with the white background.
    const purple = (i: number) => img[i + 2] - img[i + 1] > 40 && img[i] - img[i + 1] > 15;
    const orange = (i: number) => img[i] - img[i + 2] > 60 && img[i + 1] - img[i + 2] > 30;
    let lagMax = 0;
    let lagLine = 0;
    for (let i = 0; i < img.length; i += 4) {
      if (purple(i)) lagMax++;
      if (orange(i)) lagLine++;
    }
    return { lagMax, lagLine };
  }, { x: g.x, y: g.y, w: g.w, h: g.h });
  expect(found.lagMax).toBeGreaterThan(10);
  expect(found.lagLine).toBeGreaterThan(10);
  expect(problems).toEqual([]);
});

test('Add partition raises the partition count and the group rebalances onto it', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runUntilMs(page, 2000);
  let s = await snapshot(page);
  const before = s.partitions.filter((p: any) => p.topic === 'orders').length;
  const gen = s.groups[0].generation;
  await page.locator('#add-partition').click();
  await expect(page.locator('#message')).toContainText(`num.partitions=${before + 1}`);
  s = await snapshot(page);
  expect(s.partitions.filter((p: any) => p.topic === 'orders')).toHaveLength(before + 1);
  await expect(page.locator('#num-partitions')).toHaveValue(String(before + 1));
  await runUntilMs(page, 8000);
  s = await snapshot(page);
  expect(s.groups[0].generation).toBeGreaterThan(gen);
  const owned = s.groups[0].member_details.flatMap((d: any) => d.assignment.map((a: any) => a[1]));
  expect(owned.sort((a: number, b: number) => a - b)).toEqual([...Array(before + 1).keys()]);
  const [g] = await panels(page);
  expect(g.phase).toBe('stable');
  expect(g.history.some((h: any) => h.phase === 'join' && h.time_us > 2_000_000)).toBe(true);
  expect(g.history.some((h: any) => h.phase === 'stable' && h.generation === s.groups[0].generation)).toBe(true);
  expect(problems).toEqual([]);
});

test('the rebalance protocol follows the strategy list; group.protocol=consumer is marked not simulated', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await expect(page.locator('#rebalance-protocol')).toHaveValue('eager');
  await expect(page.locator('#group-protocol')).toHaveValue('classic');
  await expect(page.locator('#group-protocol option[value=consumer]')).toBeDisabled();
  await expect(page.locator('#group-protocol option[value=consumer]')).toContainText('not simulated');

  await page.locator('#rebalance-protocol').selectOption('cooperative');
  await expect(page.locator('#assignor')).toHaveValue('cooperative-sticky');
  const pending = await page.evaluate(() => (window as any).streamscope.config('partition.assignment.strategy'));
  expect(pending.pending).toBe('cooperative-sticky');

  await page.locator('#assignor').selectOption('range,cooperative-sticky');
  await expect(page.locator('#rebalance-protocol')).toHaveValue('eager');
  await page.locator('#assignor').selectOption('cooperative-sticky');
  await expect(page.locator('#rebalance-protocol')).toHaveValue('cooperative');

  // A Reset builds the group with the cooperative list: its panel says so.
  await page.locator('#reset').click();
  await runUntilMs(page, 2000);
  const [g] = await panels(page);
  expect(g.rebalance_protocol).toBe('cooperative');

  // Korean: the same panel in Korean.
  await page.locator('#lang').click();
  await runUntilMs(page, 2100);
  const [ko] = await panels(page);
  expect(ko.phase_name).toBe('안정');
  expect(problems).toEqual([]);
});
