import { test, expect } from '@playwright/test';
import { collectProblems, open, runUntilMs, snapshot } from './helpers';

// Crash and restart a broker from the page: the controller fences it after its session
// times out, new leaders are elected from the ISR, and it rejoins after a restart.

test.use({ locale: 'en-US' });

test('crash a leader, watch the controller elect new leaders, restart it', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runUntilMs(page, 2000);
  const before = await snapshot(page);
  const victim = before.partitions[0].leader;
  const led = before.partitions.filter((p: any) => p.leader === victim).map((p: any) => p.partition);

  await page.getByLabel('Broker', { exact: true }).selectOption(String(victim));
  await page.getByRole('button', { name: 'Crash' }).click();
  await expect(page.getByRole('status')).toHaveText(`Broker ${victim} crashed`);
  let s = await snapshot(page);
  expect(s.brokers[victim].alive).toBe(false);
  expect(s.changes.at(-1).change).toEqual({ CrashBroker: { broker: victim } });
  // Crashing it twice is refused, naming why.
  await page.getByRole('button', { name: 'Crash' }).click();
  await expect(page.getByRole('status')).toContainText('already down');

  // Fenced within the session timeout (9 s after the last heartbeat): new leaders, epoch 1.
  await runUntilMs(page, 2000 + 11_500);
  s = await snapshot(page);
  for (const p of led) {
    expect(s.partitions[p].leader).not.toBe(victim);
    expect(s.partitions[p].leader_epoch).toBe(1);
    expect(s.partitions[p].isr).not.toContain(victim);
  }
  const consumedAtElection = s.records_consumed;
  await runUntilMs(page, 20_000);
  expect((await snapshot(page)).records_consumed).toBeGreaterThan(consumedAtElection);

  await page.getByRole('button', { name: 'Restart' }).click();
  await expect(page.getByRole('status')).toHaveText(`Broker ${victim} restarted`);
  await runUntilMs(page, 25_000);
  s = await snapshot(page);
  expect(s.brokers[victim].alive).toBe(true);
  for (const p of s.partitions) expect(p.isr).toContain(victim);
  expect(problems).toEqual([]);
});
