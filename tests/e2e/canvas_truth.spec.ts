import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, runUntilMs, snapshot } from './helpers';

// What the canvas and the inspector say is what Kafka does (issue 14): producer ids only
// where Kafka has them, refused requests named with Kafka's error where they happen, the
// inspector's value, headers, codec, sequence and epoch, and every record on screen
// resolvable. Cross-checked against window.streamscope.

type HitTarget = { x: number; y: number; w: number; h: number; kind: string; record_id?: number };

/** Sets settings (through the test hook) and resets the world to them. */
async function resetWith(page: Page, settings: Record<string, string>) {
  for (const [name, value] of Object.entries(settings)) {
    const refused = await page.evaluate(([n, v]) => (window as any).streamscope.apply(n, v), [name, value]);
    expect(refused, `${name}=${value}`).toBeNull();
  }
  await page.locator('#reset').click();
  for (const [name, value] of Object.entries(settings)) {
    const c = await page.evaluate((n) => (window as any).streamscope.config(n), name);
    expect(c.running, name).toBe(value);
  }
}

/** The first drawn record for which `want(info)` holds. */
async function findRecord(page: Page, want: string): Promise<{ hit: HitTarget; info: any }> {
  const found = await page.evaluate((want) => {
    const s = (window as any).streamscope;
    const pick = new Function('info', `return ${want};`) as (info: any) => boolean;
    for (const hit of s.hitTargets()) {
      if (hit.kind !== 'record') continue;
      const info = s.recordInfo(hit.record_id);
      if (info && pick(info)) return { hit, info };
    }
    return null;
  }, want);
  expect(found, `a drawn record with ${want}`).not.toBeNull();
  return found!;
}

async function clickTarget(page: Page, hit: HitTarget, dx = 0, dy = 0) {
  const scale = await page.evaluate(
    () => document.querySelector('canvas')!.clientWidth / (window as any).streamscope.canvasWidth,
  );
  const x = (hit.x + hit.w / 2 + dx) * scale;
  const y = (hit.y + hit.h / 2 + dy) * scale;
  await page.locator('#canvas').click({ position: { x, y } });
}

test.use({ locale: 'en-US' });

test('the inspector shows the value, real headers, the codec, the sequence and a short batch id', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await resetWith(page, { 'sim.headers': '2', 'compression.type': 'gzip' });
  await runUntilMs(page, 2000);
  const { hit, info } = await findRecord(page, 'info.batch_wire_bytes !== null && info.sequence !== null');
  expect(info.codec).toBe('gzip');
  expect(info.batch_wire_bytes).toBeLessThan(info.batch_uncompressed_bytes);
  expect(info.header_values).toEqual(['abcdefgh', 'bcdefghi']);
  // A click a few pixels beside the dot still picks it (the larger hit area).
  await clickTarget(page, hit, 0, Math.min(4, hit.h / 2 + 3));
  const inspector = page.getByRole('complementary', { name: 'Record inspector' });
  await expect(inspector).toBeVisible();
  const field = (name: string) => inspector.locator(`dd[data-field="${name}"]`);
  await expect(field('record')).toContainText(String(info.record_id));
  await expect(field('value-bytes')).toContainText('{"order_id":');
  await expect(field('headers')).toHaveText('h0=abcdefgh (8 B), h1=bcdefghi (8 B)');
  await expect(field('codec')).toHaveText(
    `gzip: ${info.batch_wire_bytes} bytes on the wire, ${info.batch_uncompressed_bytes} uncompressed`,
  );
  await expect(field('sequence')).toHaveText(`sequence ${info.sequence} · producer epoch ${info.producer_epoch}`);
  await expect(field('batch')).toHaveText(`producer ${info.producer} · batch #${info.batch_number}`);
  expect(info.batch_number).toBeLessThan(100_000);
  expect(problems).toEqual([]);
});

test('a producer that is neither idempotent nor transactional has no producer id', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await resetWith(page, { 'enable.idempotence': 'false', acks: '1' });
  await runUntilMs(page, 1500);
  const s = await snapshot(page);
  const p = s.producers.find((x: any) => x.state === 'running');
  expect(p.producer_id).toBe(-1);
  const { hit, info } = await findRecord(page, 'true');
  expect(info.producer_id).toBe(-1);
  expect(info.sequence).toBeNull();
  expect(info.producer_epoch).toBeNull();
  await clickTarget(page, hit);
  const inspector = page.getByRole('complementary', { name: 'Record inspector' });
  const field = (name: string) => inspector.locator(`dd[data-field="${name}"]`);
  await expect(field('record')).toContainText('none (-1: not idempotent)');
  await expect(field('sequence')).toContainText('none: no producer id');
  // The idempotent preset's producer got its id from a broker, by InitProducerId.
  await resetWith(page, { acks: 'all', 'enable.idempotence': 'true' });
  await runUntilMs(page, 500);
  const q = (await snapshot(page)).producers.find((x: any) => x.state === 'running');
  expect(q.producer_id).toBeGreaterThanOrEqual(0);
  expect(problems).toEqual([]);
});

test('with min.insync.replicas=2 and two brokers killed, NOT_ENOUGH_REPLICAS is drawn and shown', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = collectProblems(page);
  await open(page);
  await resetWith(page, { 'min.insync.replicas': '2' });
  await runUntilMs(page, 1000);
  await page.locator('#kill-broker-1').click();
  await page.locator('#kill-broker-2').click();
  await runUntilMs(page, 45_000);
  const rows = await page.evaluate(() => (window as any).streamscope.drawnReplicas());
  const refused = rows.filter((r: any) => r.leader && r.refused);
  expect(refused.length).toBeGreaterThan(0);
  for (const r of refused) expect(r.refused).toBe('NOT_ENOUGH_REPLICAS');
  // The same error in words on the page (the event log), not only on the canvas.
  await expect(page.getByText(/NOT_ENOUGH_REPLICAS/).first()).toBeVisible();
  expect(problems).toEqual([]);
});

test('every record drawn on the canvas can be inspected', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = collectProblems(page);
  await open(page);
  // Every partition gets records for a second, then the application names partition 0
  // for every record: far more than the journal's last 8,192 go there, while the other
  // partitions keep their old records at the end of their logs, on screen.
  await resetWith(page, { 'sim.produce.rate': '1000' });
  await runUntilMs(page, 1000);
  expect(await page.evaluate(() => (window as any).streamscope.apply('sim.partition', '0'))).toBeNull();
  await runUntilMs(page, 15_000);
  const missing = await page.evaluate(() => {
    const s = (window as any).streamscope;
    const ids = s.hitTargets().filter((h: any) => h.kind === 'record').map((h: any) => h.record_id);
    return { drawn: ids.length, missing: ids.filter((id: number) => s.recordInfo(id) === null) };
  });
  expect(missing.drawn).toBeGreaterThan(50);
  expect(missing.missing).toEqual([]);
  expect(problems).toEqual([]);
});
