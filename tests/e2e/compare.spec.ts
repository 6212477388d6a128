import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, runUntilMs } from './helpers';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// The A/B comparison (issue 14, "Compare"): world B runs beside world A on the same seed, in
// lock step (the same simulated time), with the settings typed in the "Compare A/B" group;
// both canvases share the first screen; the table is the core's headline metrics with B - A;
// a refused setting is named at the field in the page's language and leaves world B as it
// was; a fault and a jump in time reach both worlds; Stop takes world B away.

async function compare(page: Page): Promise<any> {
  return page.evaluate(() => (window as any).streamscope.compare());
}

function row(c: any, name: string): any {
  const r = c.rows.find((r: any) => r.name === name);
  expect(r, name).toBeTruthy();
  return r;
}

for (const lang of [
  { locale: 'en-US', caption: 'B: linger.ms=50', refusal: /linger\.ms/, group: 'Compare A/B' },
  { locale: 'ko-KR', caption: 'B: linger.ms=50', refusal: /[가-힣]/, group: 'A/B 비교' },
]) {
  test.describe(lang.locale, () => {
    test.use({ locale: lang.locale, viewport: { width: 1440, height: 900 } });

    test(`world B beside world A, in lock step, with the metric deltas (${lang.locale})`, async ({ page }) => {
      const problems = collectProblems(page);
      await open(page);
      await page.evaluate(() => {
        const s = (window as any).streamscope;
        s.apply('sim.produce.rate', '2000');
        s.apply('linger.ms', '0');
      });
      expect((await compare(page)).on).toBe(false);
      await expect(page.locator('#stage-b')).toBeHidden();

      // Keyboard only: open the group, type world B's settings, Enter.
      const summary = page.locator('#compare-group > summary');
      await expect(summary).toHaveText(lang.group);
      await summary.focus();
      await page.keyboard.press('Enter');
      await page.locator('#compare-settings').focus();
      await page.keyboard.type('linger.ms=50');
      await page.keyboard.press('Enter');
      await expect(page.locator('#stage-b')).toBeVisible();
      await expect(page.locator('#compare-caption-b')).toHaveText(lang.caption);
      let c = await compare(page);
      expect(c.on).toBe(true);
      expect(c.b).toBe('linger.ms=50');

      // Both canvases side by side on the first screen.
      const a = await page.locator('#canvas').boundingBox();
      const b = await page.locator('#canvas-b').boundingBox();
      expect(a && b).toBeTruthy();
      expect(b!.x).toBeGreaterThan(a!.x + a!.width - 1);
      expect(Math.abs(b!.y - a!.y)).toBeLessThan(2);
      expect(b!.y + b!.height).toBeLessThanOrEqual(900);

      await runUntilMs(page, 3000);
      c = await compare(page);
      expect(c.time_a_us).toBe(3_000_000);
      expect(c.time_b_us).toBe(3_000_000);
      const batch = row(c, 'batch-size-avg');
      expect(batch.b).toBeGreaterThan(2 * batch.a);
      expect(batch.delta).toBeCloseTo(batch.b - batch.a, 6);
      await expect(page.locator('#compare-table tr[data-metric="batch-size-avg"] td')).toHaveCount(3);

      // A refusal is named at the field, in the page's language; world B is left as it was.
      const refusal = await page.evaluate(() => (window as any).streamscope.startCompare('linger.ms=soon'));
      expect(refusal).toMatch(lang.refusal);
      await expect(page.locator('#compare-status')).toHaveText(refusal);
      c = await compare(page);
      expect(c.b).toBe('linger.ms=50');
      expect(c.time_b_us).toBe(3_000_000);
      const same = await page.evaluate(() => (window as any).streamscope.startCompare('linger.ms=0'));
      expect(same).toContain('linger.ms=0');

      // A fault reaches both worlds; a jump back in time moves world B with world A.
      await page.locator('#fault').fill('crash:broker=1@+0s..+20s');
      await page.locator('#apply-fault').click();
      // The controller fences broker 1 about 9 s after its last heartbeat: the ISRs shrink.
      await runUntilMs(page, 15000);
      c = await compare(page);
      expect(c.time_b_us).toBe(15_000_000);
      expect(row(c, 'UnderReplicatedPartitions').a).toBeGreaterThan(0);
      expect(row(c, 'UnderReplicatedPartitions').b).toBeGreaterThan(0);
      const hashAt15 = c.trace_hash_b;
      await page.evaluate(() => (window as any).streamscope.seek(10_000_000));
      c = await compare(page);
      expect(c.time_a_us).toBe(10_000_000);
      expect(c.time_b_us).toBe(10_000_000);
      await runUntilMs(page, 15000);
      expect((await compare(page)).trace_hash_b).toBe(hashAt15);

      // Stop comparing.
      await page.locator('#compare-stop').click();
      await expect(page.locator('#stage-b')).toBeHidden();
      expect((await compare(page)).on).toBe(false);
      expect(problems).toEqual([]);
    });
  });
}

// The same comparison in the page and in the CLI (same seed, same settings, no input): the
// same rows, value for value (the CLI built by the native tests; skipped without it).
test('the page and `streamscope compare` give the same rows', async ({ page }) => {
  const cli = path.join(__dirname, '../../target/debug/streamscope');
  test.skip(!fs.existsSync(cli), 'the CLI is built by the native tests');
  const problems = collectProblems(page);
  await open(page);
  expect(await page.evaluate(() => (window as any).streamscope.startCompare('linger.ms=50, acks=1'))).toBeNull();
  await runUntilMs(page, 3000);
  const c = await compare(page);
  const out = JSON.parse(
    execFileSync(cli, ['compare', '--b', 'linger.ms=50', '--b', 'acks=1', '--until', '3s', '--seed', '1', '--json']).toString(),
  );
  expect(out.b).toBe(c.b);
  expect(out.time_us).toBe(c.time_b_us);
  expect(out.rows.map((r: any) => r.name)).toEqual(c.rows.map((r: any) => r.name));
  for (let i = 0; i < c.rows.length; i++) {
    expect(out.rows[i].a, c.rows[i].name).toBe(c.rows[i].a);
    expect(out.rows[i].b, c.rows[i].name).toBe(c.rows[i].b);
  }
  expect(problems).toEqual([]);
});

// World B's settings ride in the link (`ab=`): a reload brings the comparison back in the
// same lock step, and `streamscope compare --from-url` of that link gives the page's rows; a
// link whose B equals A is refused at the A/B box, world A still opened.
test('the comparison is in the link: a reload keeps it, the CLI compares the same link', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  expect(await page.evaluate(() => (window as any).streamscope.startCompare('linger.ms=50'))).toBeNull();
  await runUntilMs(page, 3000);
  await page.evaluate(() => (window as any).streamscope.apply('acks', '1'));
  await runUntilMs(page, 4000);
  const before = await compare(page);
  const url = await page.evaluate(() => (window as any).streamscope.url() as string);
  expect(url).toContain('&ab=linger.ms:50');
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('ab=linger.ms:50');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#stage-b')).toBeVisible();
  await expect(page.locator('#compare-group')).toHaveAttribute('open', '');
  await expect(page.locator('#compare-settings')).toHaveValue('linger.ms=50');
  const after = await compare(page);
  expect(after.on).toBe(true);
  expect(after.time_b_us).toBe(before.time_b_us);
  expect(after.trace_hash_b).toBe(before.trace_hash_b);
  const cli = path.join(__dirname, '../../target/debug/streamscope');
  if (fs.existsSync(cli)) {
    const out = JSON.parse(execFileSync(cli, ['compare', '--from-url', url, '--json']).toString());
    expect(out.b).toBe(after.b);
    expect(out.time_us).toBe(after.time_b_us);
    for (let i = 0; i < after.rows.length; i++) {
      expect(out.rows[i].name).toBe(after.rows[i].name);
      expect(out.rows[i].a, after.rows[i].name).toBe(after.rows[i].a);
      expect(out.rows[i].b, after.rows[i].name).toBe(after.rows[i].b);
    }
  }
  // Stop takes it out of the link.
  await page.locator('#compare-stop').click();
  await expect.poll(() => page.evaluate(() => (window as any).streamscope.url() as string)).not.toContain('ab=');
  // B equal to A: the link is refused naming ab and what is allowed.
  await page.goto('/#v=1&seed=1&ab=linger.ms:5');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#message')).toContainText('ab');
  await expect(page.locator('#message')).toContainText("already world A's value");
  expect(problems).toEqual([]);
});
