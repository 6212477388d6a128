import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, runUntilMs, snapshot } from './helpers';

// Producer internals on the page, end to end in Debian's Chromium: the record inspector
// (click a record on the canvas), the key -> partition calculator, send().get() in sync
// mode, and the keys that move when a live topic gets more partitions. Every expectation is
// cross-checked against the simulator's own state through window.streamscope.

/** A clickable thing on the canvas, in canvas units. */
type HitTarget = { x: number; y: number; w: number; h: number; kind: string; record_id?: number; partition?: number; broker?: number };

/** The first drawn record (with its details) for which `want(info)` holds. */
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

/** Clicks the middle of a hit box (canvas units -> CSS pixels of the scaled canvas). */
async function clickTarget(page: Page, hit: HitTarget) {
  const scale = await page.evaluate(
    () => document.querySelector('canvas')!.clientWidth / (window as any).streamscope.canvasWidth,
  );
  await page.locator('#canvas').click({ position: { x: (hit.x + hit.w / 2) * scale, y: (hit.y + hit.h / 2) * scale } });
}

/** CRC-32 (IEEE, as zlib and librdkafka compute it) of a string's UTF-8 bytes. */
function crc32(s: string): number {
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(s)) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test.use({ locale: 'en-US' });

test('clicking a record opens the inspector with the partition and the reason the simulator recorded', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runUntilMs(page, 1500);
  const partitions = (await snapshot(page)).partitions.length;
  expect(partitions).toBe(6);
  const inspector = page.getByRole('complementary', { name: 'Record inspector' });
  await expect(inspector).toBeHidden();

  // A keyed record under the built-in partitioner: murmur2 of its key decides.
  const keyed = await findRecord(page, "info.key !== null && info.reason.rule === 'key_hash'");
  await clickTarget(page, keyed.hit);
  await expect(inspector).toBeVisible();
  const field = (name: string) => inspector.locator(`dd[data-field="${name}"]`);
  await expect(field('record')).toContainText(String(keyed.info.record_id));
  const key = (await field('key').textContent())!;
  const partition = Number(await field('partition').textContent());
  const reason = (await field('reason').textContent())!;
  expect(key).toBe(keyed.info.key);
  expect(partition).toBe(keyed.info.partition);
  expect(reason).toContain('murmur2');
  expect(reason).toContain(`% ${partitions} = ${partition}`);
  const placed = await page.evaluate(([k, n]) => (window as any).streamscope.placeKey(k, n), [key, partitions] as [string, number]);
  expect(placed.java_partition).toBe(partition);
  expect(reason).toContain(`murmur2 = ${placed.murmur2}`);
  // How its send() ended, as the core recorded it: the offset it got, or still pending.
  const outcome = keyed.info.outcome;
  if (outcome.state === 'acknowledged') {
    await expect(field('outcome')).toHaveText(`acknowledged at offset ${outcome.offset}`);
  } else {
    await expect(field('outcome')).toContainText(outcome.state === 'pending' ? 'pending' : 'failed');
  }
  await expect(field('topic')).toHaveText('orders');
  await expect(field('key-serializer')).toHaveText('StringSerializer');
  await expect(field('value')).toHaveText('100 bytes, StringSerializer');
  // The partition's state comes along, as the snapshot has it.
  await expect(inspector.getByRole('heading', { name: `Partition ${partition} of orders` })).toBeVisible();
  const state = (await snapshot(page)).partitions[partition];
  await expect(field('leader')).toHaveText(`broker ${state.leader} (leader epoch ${state.leader_epoch})`);
  await expect(field('hw')).toHaveText(String(state.high_watermark));
  await inspector.getByRole('button', { name: 'Close' }).click();
  await expect(inspector).toBeHidden();

  // A keyless record: the built-in sticky partitioner, worded with batch.size.
  const keyless = await findRecord(page, "info.key === null && info.reason.rule === 'built_in_sticky'");
  await clickTarget(page, keyless.hit);
  await expect(field('key')).toHaveText('null (no key)');
  await expect(field('partition')).toHaveText(String(keyless.info.partition));
  await expect(field('reason')).toContainText(`built-in sticky partitioner (no key): partition ${keyless.info.partition} is kept until batch.size (16384 B)`);
  await expect(field('reason')).toContainText('2 × batch.size (32768 B)');
  await page.keyboard.press('Escape');
  await expect(inspector).toBeHidden();

  // A partition label in a broker: that replica's state.
  const label: HitTarget = await page.evaluate(() =>
    (window as any).streamscope.hitTargets().find((h: any) => h.kind === 'partition' && h.broker === 1 && h.partition === 2),
  );
  await clickTarget(page, label);
  await expect(inspector.getByRole('heading', { name: 'Partition 2 of orders' })).toBeVisible();
  const p2 = (await snapshot(page)).partitions[2];
  await expect(field('leo')).toHaveText(String(p2.log_end_offset));
  await expect(field('isr')).toHaveText(`[${p2.isr.join(', ')}]`);
  await expect(field('replica')).toContainText(`${p2.leader === 1 ? 'leader' : 'follower'}, in the ISR: LEO`);
  expect(problems).toEqual([]);
});

test('the calculator puts user-42 where the Java client and librdkafka do, and validates the count', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await page.locator('#calc-group > summary').click();
  const calc = page.getByRole('region', { name: 'Key → partition calculator' });
  await calc.getByLabel('Key', { exact: true }).fill('user-42');
  await calc.getByLabel('Number of partitions').fill('6');
  const java = calc.getByRole('row', { name: /Java client/ }).getByRole('cell').first();
  const rdkafka = calc.getByRole('row', { name: /librdkafka/ }).getByRole('cell').first();
  await expect(java).toHaveText('4');
  await expect(rdkafka).toHaveText(String(crc32('user-42') % 6));
  await expect(calc).toContainText('murmur2 = 1459644460');
  await expect(calc).toContainText(`0x${crc32('user-42').toString(16).padStart(8, '0')}`);
  await expect(calc).toContainText('75 73 65 72 2d 34 32 (7 bytes)');
  // The hook agrees with the form.
  const placed = await page.evaluate(() => (window as any).streamscope.placeKey('user-42', 6));
  expect(placed).toEqual({ murmur2: 1459644460, java_partition: 4, crc32: crc32('user-42'), librdkafka_partition: crc32('user-42') % 6 });

  // Another key and count: both columns follow.
  await calc.getByLabel('Key', { exact: true }).fill('주문-1');
  await expect(java).toHaveText('5');
  await expect(rdkafka).toHaveText(String(crc32('주문-1') % 6));
  await calc.getByLabel('Number of partitions').fill('2147483647');
  await expect(rdkafka).toHaveText(String(crc32('주문-1') % 2147483647));

  // Out of range or not a number: the field and the range are named; nothing is computed.
  for (const bad of ['0', '2147483648', '-3', 'six', '<img src=x onerror=alert(1)>']) {
    await calc.getByLabel('Number of partitions').fill(bad);
    await expect(calc.getByText(`Number of partitions: '${bad}' is not valid: expected an integer from 1 to 2147483647`)).toBeVisible();
    await expect(java).toHaveText('—');
    await expect(calc.getByLabel('Number of partitions')).toHaveAttribute('aria-invalid', 'true');
  }
  // Text is never parsed as HTML.
  await expect(calc.locator('img')).toHaveCount(0);

  // An empty key: Java hashes it, librdkafka picks a random partition.
  await calc.getByLabel('Number of partitions').fill('6');
  await calc.getByLabel('Key', { exact: true }).fill('');
  await expect(rdkafka).toHaveText('random');
  await expect(java).toHaveText(String(await page.evaluate(() => (window as any).streamscope.placeKey('', 6).java_partition)));
  expect(problems).toEqual([]);
});

test('in sync mode the producer shows the application waiting on send().get()', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  const status = page.getByText(/^Application: /);
  await expect(status).toContainText('send() returns at once');
  await page.getByLabel('send()').selectOption('sync');
  const producer = (await snapshot(page)).producers.find((p: any) => p.state === 'running');
  expect(producer.send_mode).toBe('sync');
  // Advance a little at a time until the application is inside send().get().
  let text = '';
  for (let t = 1; t < 200 && !text.includes('waiting'); t += 1) {
    await runUntilMs(page, t);
    text = (await status.textContent()) ?? '';
  }
  const m = text.match(/send\(\)\.get\(\) is waiting for the acknowledgement of record (\d+)/);
  expect(m, text).not.toBeNull();
  // The record it waits for was sent and is not acknowledged yet: one at a time.
  const s = await snapshot(page);
  const p = s.producers.find((p: any) => p.state === 'running');
  expect(p.records_sent).toBe(p.records_acknowledged + 1);
  const info = await page.evaluate((id) => (window as any).streamscope.recordInfo(id), Number(m![1]));
  expect(info.record_id).toBe(Number(m![1]));
  expect(info.producer).toBe(p.index);

  // Korean too.
  await page.getByRole('button', { name: 'Language / 언어' }).click();
  await expect(page.getByText(/^애플리케이션: /)).toContainText(`send().get()이 레코드 ${m![1]}의 확인 응답을 기다리는 중`);
  expect(problems).toEqual([]);
});

test('adding partitions while keyed records flow lists the keys that now land elsewhere', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  const live = await page.evaluate(() => (window as any).streamscope.isLive('num.partitions'));
  test.fixme(!live, 'num.partitions is not a live change in the core yet');
  await runUntilMs(page, 500);
  const control = page.getByLabel('num.partitions (live, increase only)');
  await control.fill('8');
  await control.blur();
  await expect(page.getByRole('status')).toContainText('Applied: num.partitions=8');
  const s = await snapshot(page);
  expect(s.partitions).toHaveLength(8);
  const remap = page.getByRole('region', { name: 'Keys that now land on another partition' });
  await expect(remap).toBeVisible();
  await expect(remap).toContainText('Do not change the partition count of a topic whose consumers rely on keys.');
  // Exactly the keys (key-0 .. key-5, the preset's sim.keys) whose murmur2 partition moved.
  const expected: string[][] = await page.evaluate(() => {
    const s = (window as any).streamscope;
    const rows: string[][] = [];
    for (let k = 0; k < 6; k++) {
      const a = s.placeKey(`key-${k}`, 6).java_partition;
      const b = s.placeKey(`key-${k}`, 8).java_partition;
      if (a !== b) rows.push([`key-${k}`, String(a), String(b)]);
    }
    return rows;
  });
  expect(expected.length).toBeGreaterThan(0);
  const rows = remap.locator('tbody tr');
  await expect(rows).toHaveCount(expected.length);
  for (let i = 0; i < expected.length; i++) {
    await expect(rows.nth(i).locator('th, td')).toHaveText(expected[i]);
  }
  await expect(remap).toContainText(`Partitions 6 → 8: ${expected.length} of 6 keys now hash to another partition.`);
  await expect(page.getByRole('status')).toContainText(`${expected.length} of 6 keys moved to another partition`);
  // The canvas has rows for the new partitions, and new records go there.
  const drawn: number[] = await page.evaluate(() =>
    (window as any).streamscope.hitTargets().filter((h: any) => h.kind === 'partition' && h.broker == null).map((h: any) => h.partition),
  );
  expect(drawn).toEqual(expect.arrayContaining([6, 7]));
  // Kafka only adds partitions: a smaller count is refused and nothing changes.
  await control.fill('4');
  await control.blur();
  await expect(page.getByRole('status')).toContainText('Refused');
  expect((await snapshot(page)).partitions).toHaveLength(8);
  // Said at the field, which keeps what was typed until the learner changes it.
  await expect(control).toHaveValue('4');
  await expect(control).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#num-partitions-error')).toContainText('num.partitions');
  expect(problems).toEqual([]);
});
