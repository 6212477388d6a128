import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, runUntilMs, snapshot } from './helpers';

// Transactions (issue 6) on the page, end to end: the Transactions box switches
// transactional.id on, the Begin / Commit / Abort / Start zombie buttons drive the core's
// application, and the canvas shows the coordinator, the transaction's state, control
// markers, the last stable offset and read_committed vs read_uncommitted positions. Every
// expectation is cross-checked with the simulator's state (window.streamscope.snapshot()) and
// with what the last frame drew (drawnTransactions(), drawnReplicas(), hitTargets()).

test.use({ locale: 'en-US' });

const drawn = (page: Page) => page.evaluate(() => (window as any).streamscope.drawnTransactions());
const replicas = (page: Page) => page.evaluate(() => (window as any).streamscope.drawnReplicas());

/** Transactions on, only the buttons begin and end them (sim.transaction.records=0). */
async function enableManualTransactions(page: Page) {
  await page.locator('#txn-records').fill('0');
  await page.locator('#txn-records').dispatchEvent('change');
  await expect(page.locator('#message')).toContainText('sim.transaction.records=0');
  await page.locator('#txn-enabled').check();
  await expect(page.locator('#message')).toContainText('transactional.id=tx-1');
}

/** The application's current (non-zombie) instance as the canvas drew it. */
function current(d: any) {
  return d.producers.find((p: any) => !p.zombie);
}

test('Begin shows Ongoing and the coordinator; Commit writes COMMIT markers', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  // A world without transactions draws none of it.
  let d = await drawn(page);
  expect(d.world).toBe(false);
  expect(d.coordinators).toEqual([]);
  await expect(page.locator('#txn-status')).toContainText('off');

  await runUntilMs(page, 300);
  await enableManualTransactions(page);
  await runUntilMs(page, 800);
  // Refused while READY: commitTransaction() needs IN_TRANSACTION (the core's message).
  await page.locator('#txn-commit').click();
  await expect(page.locator('#message')).toHaveClass('error');
  await expect(page.locator('#message')).toContainText('IN_TRANSACTION');

  await page.locator('#txn-begin').click();
  await expect(page.locator('#message')).toContainText('beginTransaction()');
  await runUntilMs(page, 1300);
  let s = await snapshot(page);
  const txn = s.transactions.find((t: any) => t.transactional_id === 'tx-1');
  expect(txn.state).toBe('Ongoing');
  expect(txn.partitions.length).toBeGreaterThan(0);
  d = await drawn(page);
  expect(d.world).toBe(true);
  // The coordinator chip is on the coordinator's broker, and only there.
  expect(d.coordinators).toEqual([txn.coordinator]);
  expect(current(d).coordinator_state).toBe('Ongoing');
  expect(current(d).client_state).toBe('IN_TRANSACTION');
  expect(current(d).epoch).toBe(txn.epoch);
  // The partitions in the transaction are the ones highlighted.
  expect(d.open_partitions.map((p: any) => p[1]).sort()).toEqual(txn.partitions.map((p: any) => p[1]).sort());
  await expect(page.locator('#txn-status')).toContainText('Ongoing');
  await expect(page.locator('#txn-status')).toHaveAttribute('data-client-state', 'IN_TRANSACTION');
  expect(d.markers).toEqual([]);

  await page.locator('#txn-commit').click();
  await expect(page.locator('#message')).toContainText('commitTransaction()');
  await runUntilMs(page, 2000);
  s = await snapshot(page);
  expect(s.transactions[0].state).toBe('CompleteCommit');
  expect(s.producers.find((p: any) => p.transactional_id === 'tx-1' && p.state === 'running').transactions_committed).toBe(1);
  d = await drawn(page);
  expect(current(d).coordinator_state).toBe('CompleteCommit');
  expect(d.open_partitions).toEqual([]);
  // A COMMIT marker on every replica of every partition of the transaction.
  const commits = d.markers.filter((m: any) => m.commit);
  expect(commits.length).toBeGreaterThanOrEqual(txn.partitions.length);
  for (const [, p] of txn.partitions) expect(commits.some((m: any) => m.partition === p)).toBe(true);
  expect(commits.every((m: any) => m.producer_id === txn.producer_id)).toBe(true);
  expect((await replicas(page)).some((r: any) => r.markers_drawn > 0)).toBe(true);
  // Once committed, nothing holds the LSO back.
  for (const p of s.partitions) expect(p.last_stable_offset).toBe(p.high_watermark);

  // Click a marker tile: the inspector explains it.
  const hit = await page.evaluate(() =>
    (window as any).streamscope.hitTargets().find((h: any) => h.kind === 'marker'),
  );
  expect(hit).toBeTruthy();
  const scale = await page.evaluate(
    () => document.querySelector('canvas')!.clientWidth / (window as any).streamscope.canvasWidth,
  );
  await page.locator('#canvas').click({ position: { x: (hit.x + hit.w / 2) * scale, y: (hit.y + hit.h / 2) * scale } });
  const insp = page.locator('#inspector-record');
  await expect(insp.locator('[data-field="marker"]')).toHaveText('COMMIT marker (a control record)');
  await expect(insp.locator('[data-field="offset"]')).toHaveText(String(hit.offset));
  await expect(insp.locator('[data-field="producer-id"]')).toHaveText(String(txn.producer_id));
  await expect(insp.locator('[data-field="producer-epoch"]')).toHaveText(/^\d+$/);
  await expect(insp.locator('[data-field="returned"]')).toContainText('never');
  await expect(page.locator('#inspector-partition [data-field="lso"]')).toContainText('= HW');
  expect(problems).toEqual([]);
});

test('an open transaction holds the LSO: read_committed waits at it, read_uncommitted runs ahead', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await enableManualTransactions(page);
  await page.locator('#isolation').selectOption('read_committed');
  await page.locator('#txn-compare').check();
  await expect(page.locator('#pending-reset')).toContainText('group g2=read_uncommitted');
  await page.locator('#reset').click();
  let s = await snapshot(page);
  expect(s.groups.map((g: any) => g.group_id)).toEqual(['g1', 'g2']);
  await runUntilMs(page, 800);
  await page.locator('#txn-begin').click();
  await runUntilMs(page, 1500);

  s = await snapshot(page);
  expect(s.transactions[0].state).toBe('Ongoing');
  const held = s.partitions.filter((p: any) => p.last_stable_offset < p.high_watermark);
  expect(held.length, 'the open transaction holds the LSO below the HW').toBeGreaterThan(0);
  const lso = new Map<number, number>(s.partitions.map((p: any) => [p.partition, p.last_stable_offset]));
  const hw = new Map<number, number>(s.partitions.map((p: any) => [p.partition, p.high_watermark]));
  const d = await drawn(page);
  expect(d.compare_group).toBe('read_uncommitted');
  const committed = d.positions.filter((p: any) => p.read_committed);
  const uncommitted = d.positions.filter((p: any) => !p.read_committed);
  expect(committed.length).toBe(6);
  expect(uncommitted.length).toBe(6);
  // read_committed never passes the LSO; its fetch ends there.
  for (const p of committed) {
    expect(p.position).toBeLessThanOrEqual(lso.get(p.partition)!);
    expect(p.fetch_limit).toBe(lso.get(p.partition));
  }
  // read_uncommitted reads past the LSO on the held partitions, up to the HW.
  const ahead = uncommitted.filter((p: any) => p.position > lso.get(p.partition)!);
  expect(ahead.length).toBeGreaterThan(0);
  for (const p of uncommitted) expect(p.position).toBeLessThanOrEqual(hw.get(p.partition)!);
  // The same in the snapshot's consumers, by group.
  for (const c of s.consumers.filter((c: any) => c.group === 'g1')) {
    for (const p of c.partitions) expect(p.position).toBeLessThanOrEqual(p.last_stable_offset);
  }
  // The leader rows carry the LSO line below their HW line.
  const leaders = (await replicas(page)).filter((r: any) => r.leader);
  expect(leaders.every((r: any) => r.last_stable_offset !== null)).toBe(true);
  expect(leaders.some((r: any) => r.last_stable_offset < r.high_watermark)).toBe(true);

  // Abort: ABORT markers, the LSO moves up, read_committed catches up without the records.
  await page.locator('#txn-abort').click();
  await runUntilMs(page, 2500);
  s = await snapshot(page);
  expect(s.transactions[0].state).toBe('CompleteAbort');
  expect((await drawn(page)).markers.some((m: any) => !m.commit)).toBe(true);
  for (const p of s.partitions) expect(p.last_stable_offset).toBe(p.high_watermark);
  expect(problems).toEqual([]);
});

test('a zombie with the same transactional.id is fenced', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  // Zombie is refused without a transactional.id.
  await page.locator('#txn-zombie').click();
  await expect(page.locator('#message')).toHaveClass('error');
  await expect(page.locator('#message')).toContainText('transactional.id');

  // The application begins and commits by itself (10 records per transaction).
  await page.locator('#txn-enabled').check();
  await runUntilMs(page, 1000);
  const before = await snapshot(page);
  const old = before.producers.find((p: any) => p.transactional_id === 'tx-1' && p.state === 'running');
  expect(old.transactions_committed).toBeGreaterThan(0);
  await page.locator('#txn-zombie').click();
  await expect(page.locator('#message')).toContainText('zombie');
  await runUntilMs(page, 3000);

  const s = await snapshot(page);
  const zombie = s.producers.find((p: any) => p.index === old.index);
  expect(zombie.transaction_state).toBe('FATAL_ERROR');
  expect(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']).toContain(zombie.transaction_error);
  const d = await drawn(page);
  const z = d.producers.find((p: any) => p.zombie);
  expect(z.producer).toBe(old.index);
  expect(z.error).toBe(zombie.transaction_error);
  const cur = current(d);
  expect(cur.error).toBeNull();
  expect(cur.epoch).toBeGreaterThan(z.epoch);
  expect(s.producers.find((p: any) => p.index === cur.producer).producer_id).toBe(old.producer_id);
  await expect(page.locator('#txn-status')).not.toContainText('FATAL_ERROR');
  expect(problems).toEqual([]);
});

test('the Transactions box speaks Korean, pipeline controls included', async ({ page }) => {
  await open(page);
  // The box shows what the next Reset builds (and the running world): the preset's values.
  await expect(page.locator('#txn-records')).toHaveValue('10');
  await expect(page.locator('#txn-abort-percent')).toHaveValue('0');
  await expect(page.locator('#txn-timeout')).toHaveValue('60000');
  await expect(page.locator('#txn-version')).toHaveValue('2');
  await expect(page.locator('#txn-enabled')).not.toBeChecked();
  await page.locator('#lang').click();
  await expect(page.locator('#txn-title')).toHaveText('트랜잭션');
  await expect(page.locator('#txn-zombie')).toHaveText('좀비 시작 (같은 transactional.id)');
  await expect(page.locator('#txn-status')).toContainText('꺼짐');
  // The pipeline's controls (tests/e2e/pipeline.spec.ts): off until sim.pipeline=ctp and Reset.
  await expect(page.locator('#pipeline-reset-title')).toHaveText('컨슘-변환-프로듀스 파이프라인, 초기화 시 적용:');
  await expect(page.locator('#crash-processor')).toBeDisabled();
});
