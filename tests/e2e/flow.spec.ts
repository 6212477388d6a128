import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, snapshot, type Snapshot } from './helpers';
import * as path from 'path';
import * as fs from 'fs';
import { execFileSync } from 'child_process';

// The product's first flow, end to end in Debian's Chromium against the built page: play,
// records reach the consumers, live setting changes reach the simulation, refusals leave it
// untouched, and every control is found by its visible name.

function running(s: Snapshot) {
  return s.producers.find((p: any) => p.state === 'running');
}

test.use({ locale: 'en-US' });

test('play, consume, switch partitioner and acks live, and show it in the simulation', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  const s0 = await snapshot(page);
  expect(s0.time_us).toBe(0);
  expect(s0.partitions).toHaveLength(6);
  expect(s0.brokers).toHaveLength(3);
  expect(s0.consumers).toHaveLength(2);

  await page.getByLabel('Speed').selectOption('1');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect.poll(async () => (await snapshot(page)).records_consumed, { timeout: 20_000 }).toBeGreaterThanOrEqual(50);

  const before = await snapshot(page);
  const oldProducer = running(before);
  expect(oldProducer.partitioner).toBe('builtin');
  expect(oldProducer.acks).toBe('all');
  expect(oldProducer.idempotent).toBe(true);
  // Consumers see only what is below the high watermark, with offsets and lag as numbers.
  for (const c of before.consumers) {
    for (const p of c.partitions) {
      expect(p.position).toBeLessThanOrEqual(p.high_watermark);
      expect(p.lag).toBe(p.high_watermark - p.position);
    }
  }

  await page.getByLabel('Partitioner').selectOption('round-robin');
  await page.getByLabel('acks', { exact: true }).selectOption('1');
  const after = await snapshot(page);
  const now = running(after);
  expect(now.partitioner).toBe('round-robin');
  expect(now.acks).toBe('1');
  // enable.idempotence was never set explicitly: with acks=1 it turns off, as in Kafka.
  expect(now.idempotent).toBe(false);
  // Kafka cannot change a running producer: each change closed one and created another. The
  // new one is not idempotent, so it has no producer id (-1, as in Kafka): instances are told
  // apart by their index.
  expect(now.index).toBeGreaterThan(oldProducer.index);
  expect(now.producer_id).toBe(-1);
  const old = after.producers.find((p: any) => p.index === oldProducer.index);
  expect(['closing', 'closed']).toContain(old.state);
  expect(after.changes.map((c: any) => c.change.Set.name)).toEqual(['partitioner.class', 'acks']);

  // The very next records follow the new setting: keyless or keyed, round-robin walks the
  // partitions in order.
  const sentBefore = now.records_sent;
  await expect.poll(async () => running(await snapshot(page)).records_sent, { timeout: 10_000 }).toBeGreaterThan(sentBefore + 30);
  const later = await snapshot(page);
  const old2 = later.producers.find((p: any) => p.index === oldProducer.index);
  expect(old2.state).toBe('closed');
  expect(old2.records_acknowledged + old2.records_failed).toBe(old2.records_sent);

  await page.getByRole('button', { name: 'Pause' }).click();
  expect(problems).toEqual([]);
});

test('step runs exactly one event; keyboard space and arrow work', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  const e0 = (await snapshot(page)).events;
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  expect((await snapshot(page)).events).toBe(e0 + 1);
  await page.locator('#canvas').click();
  await page.keyboard.press('ArrowRight');
  expect((await snapshot(page)).events).toBe(e0 + 2);
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('out-of-range settings are refused with the field and range, the simulation untouched', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  const before = await snapshot(page);
  const message = page.getByRole('status');

  await page.getByLabel('linger.ms').fill('-1');
  await page.getByLabel('linger.ms').press('Enter');
  await page.getByLabel('linger.ms').blur();
  await expect(message).toContainText('linger.ms');
  await expect(message).toContainText('out of range');
  // The page's words: times in ms or s, never microseconds.
  await expect(message).toContainText('0ms to 86400s');

  // The label says "(on reset)" or "(live, increase only)", as the core allows.
  await page.getByLabel(/^num\.partitions/).fill('0');
  await page.getByLabel(/^num\.partitions/).blur();
  await expect(message).toContainText('num.partitions');
  await expect(message).toContainText('1 to 1024');

  await page.locator('#group-any-setting > summary').click();
  await page.getByLabel('Any setting (name=value)').fill('acks=2');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(message).toContainText("acks: '2' is not valid: expected one of 0, 1, all, -1");

  const after = await snapshot(page);
  expect(after.trace_hash).toBe(before.trace_hash);
  expect(after.events).toBe(before.events);
  expect(after.changes).toEqual([]);
  expect(running(after).linger_ms).toBe(5);
  expect(running(after).producer_id).toBe(running(before).producer_id);
  // The control keeps what was typed, marked invalid, until the learner changes it.
  await expect(page.getByLabel('linger.ms')).toHaveValue('-1');
  await expect(page.getByLabel('linger.ms')).toHaveAttribute('aria-invalid', 'true');
  expect(problems).toEqual([]);
});

test('reset with a seed reproduces a run; random seed picks another', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await page.getByLabel('Seed').fill('42');
  await page.getByRole('button', { name: 'Reset' }).click();
  let s = await snapshot(page);
  expect(s.seed).toBe(42);
  expect(s.time_us).toBe(0);
  await page.evaluate(() => (window as any).streamscope.runUntilMs(2000));
  const a = (await snapshot(page)).trace_hash;
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.evaluate(() => (window as any).streamscope.runUntilMs(2000));
  expect((await snapshot(page)).trace_hash).toBe(a);
  // The same seed gives the same run in the page (wasm32) as in the CLI (native).
  const cli = path.join(__dirname, '../../target/debug/streamscope');
  if (fs.existsSync(cli)) {
    const out = JSON.parse(execFileSync(cli, ['run', '--seed', '42', '--until', '2s', '--no-drain', '--json']).toString());
    expect(out.trace_hash).toBe(a);
    expect(out.records_consumed).toBe((await snapshot(page)).records_consumed);
  } else if (process.env.CI) {
    throw new Error(`${cli} is missing: scripts/test.sh builds it before the e2e tests`);
  }
  await page.getByRole('button', { name: 'Random seed' }).click();
  s = await snapshot(page);
  expect(s.seed).not.toBe(42);
  expect(problems).toEqual([]);
});

test('Korean / English toggle changes every text, starting from the browser language', async ({ browser }) => {
  const ko = await browser.newContext({ locale: 'ko-KR' });
  const page = await ko.newPage();
  const problems = collectProblems(page);
  await open(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByRole('button', { name: '재생' })).toBeVisible();
  await expect(page.getByLabel('파티셔너')).toBeVisible();
  await page.getByRole('button', { name: 'Language / 언어' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  // Every message has both languages.
  const rows: [string, string, string][] = await page.evaluate(() => (window as any).streamscope.messages);
  expect(rows.length).toBeGreaterThan(40);
  for (const [key, en, kr] of rows) {
    expect(en, key).not.toBe('');
    expect(kr, key).not.toBe('');
  }
  expect(problems).toEqual([]);
  await ko.close();
});

test('screenshot for the README', async ({ page }) => {
  // The first screen at 1440 x 900 with a guided scenario open at its second step.
  await page.setViewportSize({ width: 1440, height: 900 });
  await open(page);
  await page.locator('#open-scenarios').click();
  expect(await page.evaluate(() => (window as any).streamscope.openScenario('sticky-partitioner'))).toBeNull();
  expect(await page.evaluate(() => (window as any).streamscope.scenarioNext())).toBeNull();
  await expect(page.locator('#scenario-step')).toHaveAttribute('data-step', '2');
  // The Hangul webfont's subset for the language button has loaded (no empty boxes).
  const faces = await page.evaluate(async () =>
    (await document.fonts.load('13px "Streamscope Noto Sans KR"', '한국어')).length,
  );
  expect(faces).toBeGreaterThan(0);
  await page.waitForTimeout(2000);
  await page.screenshot({ path: path.join(__dirname, '../../docs/screenshot.png') });
});
