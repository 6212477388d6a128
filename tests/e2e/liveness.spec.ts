import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, runUntilMs, snapshot } from './helpers';

// The page shows a stuck part (issue 11): "Drain (stop sending)" does what the CLI does at
// --until (every fault ends, the applications stop sending, the run drains until the
// liveness monitor finds it settled or stuck); the liveness line under the canvas says which.

test.use({ locale: 'en-US' });

async function liveness(page: Page): Promise<any> {
  return page.evaluate(() => (window as any).streamscope.liveness());
}

/** The core's `secs`: 12.3 s. */
function secs(us: number): string {
  return `${Math.floor(us / 1e6)}.${Math.floor(us / 1e5) % 10} s`;
}

test('lose a broker, drain at speed: the run settles and the page says when', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runUntilMs(page, 2000);
  expect(await liveness(page)).toEqual({ state: 'running', stuck_keys: [] });
  await expect(page.locator('#liveness')).toHaveText('');

  await page.getByRole('button', { name: "Lose broker 1's host (it goes silent)", exact: true }).click();
  await runUntilMs(page, 4000);
  expect((await snapshot(page)).brokers[1].alive).toBe(false);

  await page.getByRole('button', { name: 'Drain (stop sending)', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Draining: every fault ended');
  // The broker restarted (end of faults) but waits for its old session to be fenced.
  const draining = await liveness(page);
  expect(draining.state).toBe('draining');
  expect(draining.unsettled).toBeGreaterThan(0);
  await expect(page.locator('#liveness')).toHaveAttribute('data-state', 'draining');
  await expect(page.locator('#liveness')).toContainText(
    `Draining: ${draining.unsettled} parts not settled yet`,
  );

  // The animation drains at the chosen speed, then pauses: the run is over.
  await page.evaluate(() => (window as any).streamscope.setSpeed(100));
  await page.locator('#play').click();
  await expect.poll(async () => (await liveness(page)).state, { timeout: 20_000 }).toBe('settled');
  const settled = await liveness(page);
  expect(settled.at_us).toBeGreaterThan(4_000_000);
  expect(settled.stuck_keys).toEqual([]);
  await expect(page.locator('#liveness')).toHaveAttribute('data-state', 'settled');
  await expect(page.locator('#liveness')).toContainText(`Settled at ${secs(settled.at_us)}`);
  await expect(page.locator('#liveness')).not.toHaveClass(/bad/);
  await expect(page.locator('#play')).toHaveText('Play');
  const s = await snapshot(page);
  expect(s.brokers.every((b: any) => b.alive && !b.fenced && !b.registering)).toBe(true);
  // Settled: HW = LEO on every leader, nothing drawn stuck.
  const drawn = await page.evaluate(() => (window as any).streamscope.drawnReplicas());
  expect(drawn.every((r: any) => !r.stuck && r.in_isr)).toBe(true);

  // Reset ends drain mode.
  await page.locator('#reset').click();
  expect((await liveness(page)).state).toBe('running');
  await expect(page.locator('#liveness')).toHaveText('');
  expect(problems).toEqual([]);
});

test('in Korean: the drain button and the settled line', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await page.locator('#lang').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await runUntilMs(page, 2000);
  await page.getByRole('button', { name: '브로커 0 프로세스 종료 (연결 끊김)', exact: true }).click();
  await runUntilMs(page, 3000);
  await page.getByRole('button', { name: '드레인 (전송 중지)', exact: true }).click();
  await expect(page.locator('#liveness')).toContainText('드레인 중: 아직 정리되지 않은 부분');
  // Run far past any drain limit: the drain stops where it settles.
  await runUntilMs(page, 2_000_000);
  const settled = await liveness(page);
  expect(settled.state).toBe('settled');
  await expect(page.locator('#liveness')).toContainText(`정리 완료: ${secs(settled.at_us)}`);
  expect(problems).toEqual([]);
});
