import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, runUntilMs, snapshot } from './helpers';

// Brokers, replication, acks and failures (issue 4), against the built page: each broker box
// has its own Kill process / Lose host / Restart buttons; the KRaft controller fences a crashed broker after its
// session times out and elects new leaders from the ISR; the restarted broker catches up and
// rejoins the ISR; replication settings apply on Reset; the producer's in-flight requests
// carry their sequence numbers.

test.use({ locale: 'en-US' });

/** The replica rows the renderer drew in its last frame (window.streamscope.drawnReplicas). */
async function drawnReplicas(page: Page): Promise<any[]> {
  return page.evaluate(() => (window as any).streamscope.drawnReplicas());
}

async function config(page: Page, name: string): Promise<{ running: string; pending: string }> {
  return page.evaluate((n) => (window as any).streamscope.config(n), name);
}

test('crash the leader of partition 0 from its box, watch it fenced, restart it, see it rejoin', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runUntilMs(page, 2000);
  const before = await snapshot(page);
  const victim: number = before.partitions[0].leader;
  const led = before.partitions.filter((p: any) => p.leader === victim);
  expect(led.length).toBeGreaterThan(0);

  // Every broker box has Kill process and Lose host buttons; Restart shows only while it is down.
  for (const b of before.brokers) {
    await expect(page.locator(`#broker-${b.id}`)).toHaveAttribute('data-state', 'up');
    await expect(page.locator(`#kill-broker-${b.id}`)).toBeVisible();
    await expect(page.locator(`#crash-broker-${b.id}`)).toBeVisible();
    await expect(page.locator(`#restart-broker-${b.id}`)).toBeHidden();
  }
  // Every replica is drawn, in its broker's box, with its role and ISR state.
  let drawn = await drawnReplicas(page);
  expect(drawn).toHaveLength(before.partitions.reduce((n: number, p: any) => n + p.replicas.length, 0));
  expect(drawn.filter((r) => r.leader).map((r) => r.partition).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  expect(drawn.every((r) => r.in_isr)).toBe(true);

  await page.getByRole('button', { name: `Lose broker ${victim}'s host (it goes silent)`, exact: true }).click();
  await expect(page.getByRole('status')).toHaveText(
    `Broker ${victim}: host lost. It is silent: clients wait out request.timeout.ms (30 s) before they retry`,
  );
  let s = await snapshot(page);
  expect(s.brokers[victim]).toEqual({ id: victim, alive: false, fenced: false, registering: false });
  expect(s.changes.at(-1).change).toEqual({ CrashBroker: { broker: victim } });
  // Down, but the controller does not know yet: it still leads and is still in the ISR.
  await expect(page.locator(`#broker-${victim}`)).toHaveAttribute('data-state', 'crashed');
  await expect(page.locator(`#broker-state-${victim}`)).toHaveText(`Broker ${victim}: crashed · not fenced yet`);
  await expect(page.locator(`#crash-broker-${victim}`)).toBeHidden();
  await expect(page.locator(`#restart-broker-${victim}`)).toBeVisible();
  expect(s.partitions[0].leader).toBe(victim);

  // Fenced within the session timeout (9 s after the last heartbeat): new leaders, epoch + 1.
  await runUntilMs(page, 2000 + 11_500);
  s = await snapshot(page);
  expect(s.brokers[victim]).toEqual({ id: victim, alive: false, fenced: true, registering: false });
  for (const p of led) {
    const now = s.partitions[p.partition];
    expect(now.leader).not.toBe(victim);
    expect(now.leader).not.toBeNull();
    expect(now.leader_epoch).toBe(p.leader_epoch + 1);
    expect(now.isr).not.toContain(victim);
  }
  await expect(page.locator(`#broker-${victim}`)).toHaveAttribute('data-state', 'fenced');
  await expect(page.locator(`#broker-state-${victim}`)).toHaveText(`Broker ${victim}: crashed · fenced by the controller`);
  // Its replicas are drawn out of the ISR (hatched, "not in ISR"), the others in it.
  drawn = await drawnReplicas(page);
  const mine = drawn.filter((r) => r.broker === victim);
  expect(mine.length).toBe(before.partitions.filter((p: any) => p.replicas.includes(victim)).length);
  for (const r of mine) {
    expect(r.in_isr).toBe(false);
    expect(r.leader).toBe(false);
    expect(r.broker_state).toBe('fenced');
  }
  expect(drawn.filter((r) => r.broker !== victim).every((r) => r.in_isr && r.broker_state === 'up')).toBe(true);
  const p0 = drawn.find((r) => r.partition === 0 && r.leader);
  expect(p0.broker).toBe(s.partitions[0].leader);
  // Consumers go on reading from the new leaders.
  const consumedAtElection = s.records_consumed;
  await runUntilMs(page, 20_000);
  expect((await snapshot(page)).records_consumed).toBeGreaterThan(consumedAtElection);

  await page.locator(`#restart-broker-${victim}`).click();
  await expect(page.getByRole('status')).toHaveText(`Broker ${victim} restarted`);
  await expect(page.locator(`#broker-${victim}`)).toHaveAttribute('data-state', 'up');
  await expect(page.locator(`#crash-broker-${victim}`)).toBeVisible();
  await runUntilMs(page, 25_000);
  s = await snapshot(page);
  expect(s.brokers[victim]).toEqual({ id: victim, alive: true, fenced: false, registering: false });
  for (const p of s.partitions) {
    expect(p.isr).toContain(victim);
    // Its replica has caught up to the high watermark.
    const i = p.replicas.indexOf(victim);
    expect(p.replica_log_end_offsets[i]).toBeGreaterThanOrEqual(p.high_watermark);
  }
  drawn = await drawnReplicas(page);
  expect(drawn.filter((r) => r.broker === victim).every((r) => r.in_isr && r.broker_state === 'up')).toBe(true);
  expect(problems).toEqual([]);
});

test('replication settings wait for Reset, and say so', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await expect(page.locator('#reset')).toHaveAttribute('data-pending', 'false');
  expect(await config(page, 'min.insync.replicas')).toEqual({ running: '1', pending: '1' });

  const minIsr = page.getByLabel('min.insync.replicas', { exact: true });
  await minIsr.fill('2');
  await minIsr.press('Enter');
  await minIsr.blur();
  await expect(page.getByRole('status')).toContainText('min.insync.replicas=2: takes effect on Reset');
  await expect(page.locator('#pending-reset')).toHaveText('Waiting for Reset: min.insync.replicas=2');
  await expect(page.locator('#reset')).toHaveAttribute('data-pending', 'true');
  expect(await config(page, 'min.insync.replicas')).toEqual({ running: '1', pending: '2' });

  await page.getByLabel('unclean.leader.election.enable').check();
  await expect(page.locator('#pending-reset')).toHaveText(
    'Waiting for Reset: min.insync.replicas=2, unclean.leader.election.enable=true',
  );
  // Out of range: refused, naming the setting, said at the field, which keeps what was typed.
  const rf = page.getByLabel('replication.factor');
  await rf.fill('4');
  await rf.press('Enter');
  await rf.blur();
  await expect(page.getByRole('status')).toContainText('replication.factor');
  await expect(page.getByRole('status')).toHaveClass('error');
  await expect(page.locator('#replication-factor-error')).toContainText('replication.factor');
  await expect(rf).toHaveValue('4');

  await page.getByRole('button', { name: 'Reset' }).click();
  // Reset starts from what is in force: the field shows it again.
  await expect(rf).toHaveValue('3');
  expect(await config(page, 'min.insync.replicas')).toEqual({ running: '2', pending: '2' });
  expect(await config(page, 'unclean.leader.election.enable')).toEqual({ running: 'true', pending: 'true' });
  await expect(page.locator('#pending-reset')).toHaveText('');
  await expect(page.locator('#reset')).toHaveAttribute('data-pending', 'false');
  await expect(minIsr).toHaveValue('2');
  await expect(page.getByLabel('unclean.leader.election.enable')).toBeChecked();

  // With min.insync.replicas=2, two brokers down leave one replica: the high watermark stalls.
  await runUntilMs(page, 2000);
  await page.locator('#crash-broker-0').click();
  await page.locator('#crash-broker-1').click();
  await runUntilMs(page, 14_000);
  const a = await snapshot(page);
  await runUntilMs(page, 16_000);
  const b = await snapshot(page);
  for (const p of b.partitions) {
    if (p.isr.length < 2) expect(p.high_watermark).toBe(a.partitions[p.partition].high_watermark);
  }
  expect(problems).toEqual([]);
});

test('idempotence and retries change the running producer; in-flight batches carry sequences', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runUntilMs(page, 1000);
  let s = await snapshot(page);
  let producer = s.producers.find((p: any) => p.state === 'running');
  expect(producer.idempotent).toBe(true);
  await expect(page.getByLabel('enable.idempotence')).toBeChecked();
  // Sequence numbers: first..last of each batch, consecutive per partition across requests.
  const seen = new Map<number, number>();
  for (let t = 1000; t < 1400; t += 7) {
    await runUntilMs(page, t);
    s = await snapshot(page);
    producer = s.producers.find((p: any) => p.state === 'running');
    for (const r of producer.in_flight) {
      for (const b of r.batches) {
        expect(b.base_sequence).not.toBeNull();
        expect(b.last_sequence).toBe(b.base_sequence + b.records - 1);
        const prev = seen.get(b.batch_id);
        if (prev !== undefined) expect(b.base_sequence).toBe(prev);
        seen.set(b.batch_id, b.base_sequence);
      }
    }
  }
  expect(seen.size).toBeGreaterThan(0);

  await page.getByLabel('enable.idempotence').uncheck();
  await expect(page.getByRole('status')).toHaveText('Applied: enable.idempotence=false');
  const retries = page.getByLabel('retries');
  await retries.fill('3');
  await retries.press('Enter');
  await retries.blur();
  await expect(page.getByRole('status')).toHaveText('Applied: retries=3');
  expect(await config(page, 'retries')).toEqual({ running: '3', pending: '3' });
  await runUntilMs(page, 1600);
  s = await snapshot(page);
  producer = s.producers.find((p: any) => p.state === 'running');
  expect(producer.idempotent).toBe(false);
  await expect(page.getByLabel('enable.idempotence')).not.toBeChecked();
  let withoutSeq = 0;
  for (let t = 1600; t < 1800 && withoutSeq === 0; t += 5) {
    await runUntilMs(page, t);
    producer = (await snapshot(page)).producers.find((p: any) => p.state === 'running');
    for (const r of producer.in_flight) for (const b of r.batches) {
      expect(b.base_sequence).toBeNull();
      withoutSeq++;
    }
  }
  expect(withoutSeq).toBeGreaterThan(0);

  // Switching it back on with acks=1 is a config error Kafka itself raises; nothing changes.
  await page.getByLabel('acks', { exact: true }).selectOption('1');
  // (click, not check(): the page puts the box back at once, as it refuses the change)
  await page.getByLabel('enable.idempotence').click();
  await expect(page.getByRole('status')).toHaveClass('error');
  await expect(page.getByRole('status')).toContainText('enable.idempotence');
  await expect(page.getByLabel('enable.idempotence')).not.toBeChecked();
  expect(problems).toEqual([]);
});

test('the invariant monitor counters are on the page, in both languages', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  const counts = await page.evaluate(() => (window as any).streamscope.monitor());
  for (const id of ['mon-lost', 'mon-dup', 'mon-ooo']) {
    await expect(page.locator(`#${id}`)).toBeVisible();
    if (!counts.live) await expect(page.locator(`#${id}`)).toHaveText('—');
  }
  await expect(page.locator('#monitor')).toContainText('acknowledged, then lost');
  await page.locator('#lang').click();
  await expect(page.locator('#monitor')).toContainText('확인 응답 후 유실');
  await expect(page.locator('#crash-broker-0')).toHaveText('호스트 유실');
  await expect(page.locator('#crash-broker-0')).toHaveAttribute('aria-label', '브로커 0 호스트 유실 (응답 없음)');
  await expect(page.locator('#kill-broker-0')).toHaveText('프로세스 종료');
  expect(problems).toEqual([]);
});

test('the fault box injects faults in --fault syntax and the monitor counts what they did', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  // Without idempotence, responses lost while requests are processed make retries write twice.
  await page.locator('#idempotence').uncheck();
  await runUntilMs(page, 1000);
  await page.locator('#fault').fill('drop-responses:broker=0@+0s..+2s');
  await page.locator('#apply-fault').click();
  await expect(page.locator('#message')).toContainText('fault scheduled: drop-responses:broker=0@1s..3s');
  await runUntilMs(page, 40000);
  const m = await page.evaluate(() => (window as any).streamscope.monitor());
  expect(m.live).toBe(true);
  expect(m.duplicates).toBeGreaterThan(0);
  await expect(page.locator('#mon-dup')).toHaveText(String(m.duplicates));
  const s = await snapshot(page);
  expect(s.faults).toEqual(['drop-responses:broker=0@1s..3s']);
  expect(s.monitor.duplicates).toBe(m.duplicates);
  // A bad fault is refused with the problem named, and nothing is scheduled.
  await page.locator('#fault').fill('cut:broker=0,broker=9');
  await page.locator('#apply-fault').click();
  await expect(page.locator('#message')).toContainText('broker=9 is out of range');
  expect((await snapshot(page)).faults).toHaveLength(1);
  // A link cut from now on, ended by "End all faults".
  await page.locator('#fault').fill('cut:broker=0,broker=1');
  await page.keyboard.press('Enter');
  await runUntilMs(page, 42000);
  await page.locator('#end-faults').click();
  await expect(page.locator('#message')).toContainText('every fault ended');
  expect(problems).toEqual([]);
});

test('acks=1 and a leader crash before its followers fetch: the page counts the acknowledged records lost', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await page.locator('#acks').selectOption('1');
  await runUntilMs(page, 1000);
  await page.locator('#fault').fill('crash:leader=orders-0,ahead@+0s..+15s');
  await page.locator('#apply-fault').click();
  await expect(page.locator('#message')).toContainText('fault scheduled: crash:leader=orders-0,ahead@1s..16s');
  await runUntilMs(page, 14000);
  const s = await snapshot(page);
  const p0 = s.partitions.find((p: any) => p.topic === 'orders' && p.partition === 0);
  expect(p0.leader_epoch).toBeGreaterThan(0);
  expect(s.leader_elections).toBeGreaterThan(0);
  expect(s.monitor.acknowledged_lost).toBeGreaterThan(0);
  expect(p0.acknowledged_lost).toBe(s.monitor.acknowledged_lost);
  await expect(page.locator('#mon-lost')).toHaveText(String(s.monitor.acknowledged_lost));
  expect(problems).toEqual([]);
});
