import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, runUntilMs } from './helpers';

// The consume-transform-produce pipeline (issue 6) on the page: the Transactions box turns
// sim.pipeline=ctp on (on Reset) with a processing.guarantee, crashes a processor
// mid-transaction and restarts it, and the side-by-side count compares exactly_once_v2 with
// at_least_once after the same crash: the page runs a hidden twin with the same seed and the
// other guarantee. Every expectation is read back from the simulators through
// window.streamscope.pipeline().

test.use({ locale: 'en-US' });

const pipeline = (page: Page) => page.evaluate(() => (window as any).streamscope.pipeline());

/** The pipeline on with `guarantee`, seed `seed`, then Reset. */
async function resetWithPipeline(page: Page, guarantee: string, seed: number) {
  await page.locator('#pipeline-enabled').check();
  await expect(page.locator('#message')).toContainText('sim.pipeline=ctp');
  await expect(page.locator('#pending-reset')).toContainText('sim.pipeline');
  await page.locator('#pipeline-guarantee').selectOption(guarantee);
  await expect(page.locator('#message')).toContainText(`processing.guarantee=${guarantee}`);
  await page.locator('#seed').fill(String(seed));
  await page.locator('#reset').click();
  await expect(page.locator('#message')).toContainText(`${seed}`);
}

// Seed 3: the in-txn crash of processor 0 lands, under at_least_once, after its output was
// sent and before its offsets were committed, so its restart repeats that work (2
// duplicates); crates/web/src/pipeline.rs has the same flow as a native test.
const SEED = 3;

test('a processor crashed mid-transaction: exactly_once_v2 has no duplicate, at_least_once has', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  // No pipeline yet: nothing to crash, no twin.
  let p = await pipeline(page);
  expect(p.visible).toBeNull();
  expect(p.twin).toBeNull();
  await expect(page.locator('#crash-processor')).toBeDisabled();
  await expect(page.locator('#eos-counts')).toContainText('exactly_once_v2 — · at_least_once —');

  await resetWithPipeline(page, 'exactly_once_v2', SEED);
  await expect(page.locator('#crash-processor')).toBeEnabled();
  p = await pipeline(page);
  expect(p.visible.guarantee).toBe('exactly_once_v2');
  expect(p.twin.guarantee).toBe('at_least_once');
  expect(p.visible.processors.length).toBe(2);
  expect(p.visible.processors[0].transactional_id).toBe('ctp-processor-0');
  expect(p.twin.processors[0].transactional_id).toBeNull();

  await runUntilMs(page, 2000);
  p = await pipeline(page);
  // The twin runs in step with the visible simulation.
  expect(p.twin_time_us).toBe(2_000_000);
  expect(p.visible.report.output_committed).toBeGreaterThan(0);
  expect(p.twin.report.output_committed).toBeGreaterThan(0);

  await page.locator('#processor-index').fill('0');
  await expect(page.locator('#crash-in-txn')).toBeChecked();
  await page.locator('#crash-processor').click();
  await expect(page.locator('#message')).toContainText('processor 0 crashes at its next moment');
  await runUntilMs(page, 8000);
  p = await pipeline(page);
  expect(p.visible.processors[0].phase).toBe('crashed');
  expect(p.twin.processors[0].phase).toBe('crashed');
  expect(p.phases_seen[0]).toContain('crashed');
  // Before the crash it went through its transaction's phases.
  expect(p.phases_seen[0]).toContain('TxnOffsetCommit');
  await expect(page.locator('#pipeline-status')).toContainText('processor 0 (consumer');
  await expect(page.locator('#pipeline-status')).toContainText('crashed');

  await page.locator('#restart-processor').click();
  await expect(page.locator('#message')).toContainText('processor 0 restarted with the same transactional.id');
  await runUntilMs(page, 10_000);
  // Stop the input and let both pipelines finish (the crashed member's session, 45 s, ends
  // the rebalance its restart began).
  expect(await page.evaluate(() => (window as any).streamscope.apply('sim.produce.rate', '0'))).toBeNull();
  await runUntilMs(page, 60_000);
  p = await pipeline(page);
  const eos = p.exactly_once_v2;
  const alos = p.at_least_once;
  expect(eos.processor_crashes).toBe(1);
  expect(alos.processor_crashes).toBe(1);
  expect(eos.input).toBeGreaterThan(0);
  expect(eos.duplicates).toBe(0);
  expect(eos.missing).toBe(0);
  expect(eos.read_committed_aborted_seen).toBe(0);
  expect(eos.transactions_committed).toBeGreaterThan(0);
  expect(alos.input).toBe(eos.input);
  expect(alos.duplicates).toBeGreaterThan(0);
  expect(alos.missing).toBe(0);
  // The restarted processor runs again, with the same transactional.id and a newer epoch.
  expect(p.visible.processors[0].phase).not.toBe('crashed');
  expect(p.phases_seen[0]).toContain('polling');
  expect(p.visible.processors[0].transactional_id).toBe('ctp-processor-0');
  // The page shows the side-by-side count.
  const counts = page.locator('#eos-counts');
  await expect(counts).toContainText(
    `duplicates in the output: exactly_once_v2 0 · at_least_once ${alos.duplicates}`,
  );
  await expect(counts).toContainText('not (yet) in the output: 0 · 0');
  await expect(counts).toContainText('aborted records read by read_committed: 0 · 0');
  await expect(counts).toHaveAttribute('data-eos', '0');
  await expect(counts).toHaveAttribute('data-alos', String(alos.duplicates));
  expect(problems).toEqual([]);
});

test('a restart with a new transactional.id, and the twin follows a direct crash', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await resetWithPipeline(page, 'exactly_once_v2', SEED);
  await runUntilMs(page, 2000);
  await page.locator('#processor-index').fill('1');
  await page.locator('#crash-in-txn').uncheck();
  await page.locator('#crash-processor').click();
  await expect(page.locator('#message')).toContainText('processor 1 crashed');
  let p = await pipeline(page);
  expect(p.visible.processors[1].phase).toBe('crashed');
  expect(p.twin.processors[1].phase).toBe('crashed');
  // A second crash is refused with the core's reason.
  await page.locator('#crash-processor').click();
  await expect(page.locator('#message')).toContainText('already down');
  await page.locator('#restart-processor-new-id').click();
  await expect(page.locator('#message')).toContainText('new transactional.id');
  await runUntilMs(page, 3000);
  p = await pipeline(page);
  expect(p.visible.processors[1].transactional_id).toBe('ctp-processor-1-1');
  expect(p.visible.processors[1].phase).not.toBe('crashed');
  expect(p.twin.processors[1].phase).not.toBe('crashed');
  await expect(page.locator('#pipeline-status')).toContainText('ctp-processor-1-1');
  // An out-of-range processor is refused by the core.
  await page.locator('#processor-index').fill('7');
  await page.locator('#crash-processor').click();
  await expect(page.locator('#message')).toContainText('out of range');
  await page.locator('#processor-index').fill('');
  await page.locator('#restart-processor').click();
  await expect(page.locator('#message')).toContainText('is not a processor number');
  expect(problems).toEqual([]);
});

test('the fault box crashes a processor in-txn in both worlds and restarts it at the end', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await resetWithPipeline(page, 'exactly_once_v2', SEED);
  await runUntilMs(page, 2000);
  await page.locator('#fault').fill('crash:processor=0,in-txn@+0s..+3s');
  await page.locator('#apply-fault').click();
  await expect(page.locator('#message')).toContainText('crash:processor=0,in-txn@2s..5s');
  await runUntilMs(page, 6000);
  const p = await pipeline(page);
  expect(p.twin_time_us).toBe(6_000_000);
  for (const side of [p.visible, p.twin]) {
    expect(side.report.processor_crashes).toBe(1);
    expect(side.processors[0].crashes).toBe(1);
    expect(side.processors[0].phase).not.toBe('crashed');
  }
  expect(problems).toEqual([]);
});

test('the pipeline controls are enabled with the pipeline and speak Korean', async ({ page }) => {
  await open(page);
  for (const id of ['#crash-processor', '#restart-processor', '#restart-processor-new-id']) {
    await expect(page.locator(id)).toBeDisabled();
  }
  await expect(page.locator('#pipeline-enabled')).not.toBeChecked();
  await expect(page.locator('#pipeline-guarantee')).toHaveValue('at_least_once');
  await expect(page.locator('#pipeline-processors')).toHaveValue('2');
  await resetWithPipeline(page, 'at_least_once', 1);
  for (const id of ['#crash-processor', '#restart-processor', '#restart-processor-new-id']) {
    await expect(page.locator(id)).toBeEnabled();
  }
  await expect(page.locator('#pipeline-enabled')).toBeChecked();
  await expect(page.locator('#pipeline-status')).toContainText('Pipeline at_least_once (twin: exactly_once_v2)');
  await expect(page.locator('#pipeline-status')).toContainText('no transactional.id');
  await page.locator('#lang').click();
  await expect(page.locator('#crash-processor')).toHaveText('프로세서 장애');
  await expect(page.locator('#restart-processor')).toHaveText('재시작 (같은 transactional.id)');
  await expect(page.locator('#restart-processor-new-id')).toHaveText('재시작 (새 transactional.id)');
  await expect(page.locator('#pipeline-reset-title')).toHaveText('컨슘-변환-프로듀스 파이프라인, 초기화 시 적용:');
  await expect(page.locator('#pipeline-status')).toContainText('프로세서 0');
  await expect(page.locator('#eos-counts')).toContainText('출력의 중복: exactly_once_v2 0 · at_least_once 0');
  // Every text of the pipeline has both languages.
  const rows = await page.evaluate(() => (window as any).streamscope.messages);
  const pipe = rows.filter((r: string[]) => r[0].startsWith('pipe_'));
  expect(pipe.length).toBeGreaterThan(10);
  for (const [, en, ko] of pipe) {
    expect(en.length).toBeGreaterThan(0);
    expect(ko).not.toBe(en);
  }
});
