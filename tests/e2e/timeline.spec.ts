import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, snapshot, runUntilMs } from './helpers';
import * as path from 'path';
import * as fs from 'fs';
import { execFileSync } from 'child_process';

// Time travel in the page (issue 13): step back exactly, the timeline's marks and Live, a
// fork from the past, the event log's lines, the arrow keys, "Jump to time", the run's link,
// both languages, and no request off the page's own origin.

test.use({ locale: 'en-US' });

const hook = (page: Page, body: string) => page.evaluate(`window.streamscope.${body}`);
const traceHash = (page: Page) => hook(page, 'traceHash()') as Promise<string>;
const moment = (page: Page) => hook(page, 'moment()') as Promise<any>;

/** Every request the page makes that is not to its own origin. */
function offOrigin(page: Page, base: string): string[] {
  const origin = new URL(base).origin;
  const off: string[] = [];
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('data:') && new URL(url).origin !== origin) off.push(url);
  });
  return off;
}

/** Clicks (or presses, for a drag) the timeline at time `timeUs` in lane `lane`. */
async function timelinePoint(page: Page, timeUs: number, lane: string) {
  const g: any = await hook(page, 'timeline()');
  const box = (await page.locator('#timeline').boundingBox())!;
  const scale = box.width / g.width;
  const x = (g.left + (g.right - g.left) * (timeUs / g.span_us)) * scale;
  const y = (g.lane_top + g.lane_h * (g.lanes.indexOf(lane) + 0.5)) * scale;
  return { x, y, box };
}

/** A broker lost at 1 s and back at 2 s, run to 4 s: faults, elections and inputs marked. */
async function runWithAFault(page: Page) {
  await page.locator('#fault').fill('crash:broker=1@1s..2s');
  await page.getByRole('button', { name: 'Inject' }).click();
  await runUntilMs(page, 4000);
}

test('step 30, step back 30: the same world', async ({ page, baseURL }) => {
  const problems = collectProblems(page);
  const off = offOrigin(page, baseURL!);
  await open(page);
  await runUntilMs(page, 500);
  const before = await snapshot(page);
  const hash = await traceHash(page);
  for (let i = 0; i < 30; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
  expect((await snapshot(page)).events).toBe(before.events + 30);
  for (let i = 0; i < 30; i++) await page.getByRole('button', { name: 'Step back' }).click();
  expect(await snapshot(page)).toEqual(before);
  expect(await traceHash(page)).toBe(hash);
  expect(await hook(page, 'isLive()')).toBe(false);
  expect(await hook(page, "isLive('num.partitions')")).toBe(true);
  // The keys: → steps, ← steps back, outside text fields.
  await page.locator('#timeline').focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  expect((await moment(page)).events).toBe(before.events + 5);
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  expect(await snapshot(page)).toEqual(before);
  await page.locator('#jump-time').fill('3');
  await page.locator('#jump-time').press('ArrowLeft');
  expect(await snapshot(page)).toEqual(before);
  expect(problems).toEqual([]);
  expect(off).toEqual([]);
});

test('a click on a past mark of the timeline shows right after it; Live is the head again', async ({ page, baseURL }) => {
  const problems = collectProblems(page);
  const off = offOrigin(page, baseURL!);
  await open(page);
  await runWithAFault(page);
  const head = await snapshot(page);
  const headHash = await traceHash(page);
  const marks: any[] = (await hook(page, 'marks()')) as any[];
  const started = marks.find((m) => m.kind.kind === 'fault_started');
  expect(started).toBeTruthy();
  expect(marks.some((m) => m.kind.kind === 'input')).toBe(true);

  const { x, y } = await timelinePoint(page, started.time, 'fault');
  await page.locator('#timeline').click({ position: { x, y } });
  const m = await moment(page);
  expect(m.events).toBe(started.event + 1);
  expect(m.live).toBe(false);
  expect(await traceHash(page)).not.toBe(headHash);
  await expect(page.locator('#live')).toHaveAttribute('data-live', 'false');
  await expect(page.locator('#time-position')).toContainText('Past');
  // Back 5 and step 5 from there: the same moment.
  const there = await traceHash(page);
  await hook(page, 'back(5)');
  await hook(page, 'step(5)');
  expect(await traceHash(page)).toBe(there);

  // A drag moves the moment shown along the axis.
  const a = await timelinePoint(page, 3_000_000, 'input');
  const b = await timelinePoint(page, 1_500_000, 'input');
  await page.mouse.move(a.box.x + a.x, a.box.y + a.y);
  await page.mouse.down();
  await page.mouse.move(a.box.x + (a.x + b.x) / 2, a.box.y + a.y);
  await page.mouse.move(a.box.x + b.x, a.box.y + b.y);
  await page.mouse.up();
  const dragged = await moment(page);
  expect(Math.abs(dragged.time_us - 1_500_000)).toBeLessThan(10_000);
  expect(dragged.live).toBe(false);

  // The previous / next mark of a kind.
  await page.locator('#mark-kind').selectOption('fault');
  await page.getByRole('button', { name: 'next ▶' }).click();
  const ended = marks.find((m) => m.kind.kind === 'fault_ended');
  expect((await moment(page)).events).toBe(ended.event + 1);
  await page.getByRole('button', { name: '◀ previous' }).click();
  expect((await moment(page)).events).toBe(started.event + 1);

  await page.getByRole('button', { name: 'Live' }).click();
  expect(await traceHash(page)).toBe(headHash);
  expect(await snapshot(page)).toEqual(head);
  expect(await hook(page, 'isLive()')).toBe(true);
  // End on the focused timeline is Live too; Home is the start.
  await page.locator('#timeline').focus();
  await page.keyboard.press('Home');
  expect((await moment(page)).events).toBe(0);
  await page.keyboard.press('End');
  expect(await traceHash(page)).toBe(headHash);
  expect(problems).toEqual([]);
  expect(off).toEqual([]);
});

test('playing from the past follows the recorded future and is live at the head', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runWithAFault(page);
  const headHash = await traceHash(page);
  const headEvents = (await moment(page)).events;
  await hook(page, 'seek(2500000)');
  expect((await moment(page)).live).toBe(false);
  await runUntilMs(page, 4000);
  expect(await traceHash(page)).toBe(headHash);
  expect((await moment(page)).events).toBe(headEvents);
  expect(await hook(page, 'isLive()')).toBe(true);
  expect(problems).toEqual([]);
});

test('acting in the past forks: the fork line, a branch point, another future', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runWithAFault(page);
  const oldFuture = await traceHash(page);
  await hook(page, 'seek(1500000)');
  const at = await moment(page);
  expect(at.live).toBe(false);
  await page.getByLabel('linger.ms').fill('40');
  await page.getByLabel('linger.ms').press('Enter');
  await expect(page.locator('#fork-note')).toContainText(`Forked at event ${at.events}`);
  await expect(page.locator('#fork-note')).toContainText('the future after it was recomputed');
  const branches: any[] = (await hook(page, 'branches()')) as any[];
  expect(branches).toEqual([{ event: at.events, time: 1500000 }]);
  expect(await hook(page, 'isLive()')).toBe(true);
  await runUntilMs(page, 4000);
  expect(await traceHash(page)).not.toBe(oldFuture);
  const changes = (await snapshot(page)).changes;
  expect(changes.some((c: any) => c.change.Set?.name === 'linger.ms' && c.at_time === 1500000)).toBe(true);
  expect(problems).toEqual([]);
});

test('the event log: Kafka words, a click jumps right after the line, filters, the canvas filters it', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runUntilMs(page, 1500);
  const log = page.locator('#event-log li:not([hidden])');
  await expect(log.first()).toBeVisible();
  const texts = await log.allTextContents();
  expect(texts.length).toBeGreaterThan(50);
  expect(texts.some((t) => /Produce response/.test(t))).toBe(true);
  expect(texts.some((t) => /Fetch from a replica/.test(t))).toBe(true);
  const last = (await moment(page)).events - 1;
  expect(await log.last().getAttribute('data-event')).toBe(String(last));

  const line = log.nth(Math.floor(texts.length / 2));
  const event = Number(await line.getAttribute('data-event'));
  await line.click();
  const m = await moment(page);
  expect(m.events).toBe(event + 1);
  const there = await traceHash(page);
  // The log follows the moment: its last line is that event now.
  await expect(log.last()).toHaveAttribute('data-event', String(event));
  // Stepping there from the start of the same run gives the same trace hash.
  await page.getByRole('button', { name: 'Reset' }).click();
  await hook(page, `step(${event + 1})`);
  expect(await traceHash(page)).toBe(there);

  // Filters: a broker's lines only; the requests of one API key.
  await page.locator('#log-node').selectOption('broker:2');
  for (const t of await log.allTextContents()) expect(t).toContain('broker 2');
  await page.locator('#log-node').selectOption('all');
  await page.locator('#log-kind').selectOption('api:Produce');
  for (const t of await log.allTextContents()) expect(t).toContain('Produce');
  await page.locator('#log-kind').selectOption('all');
  // A click on a broker's box on the canvas filters the log to it.
  const scale = await page.evaluate(() => document.querySelector('#canvas')!.clientWidth / (window as any).streamscope.canvasWidth);
  await page.locator('#canvas').click({ position: { x: 600 * scale, y: 80 * scale } });
  const node = await page.locator('#log-node').inputValue();
  expect(node).toMatch(/^broker:\d$/);
  const b = node.split(':')[1];
  for (const t of await log.allTextContents()) expect(t).toContain(`broker ${b}`);
  expect(problems).toEqual([]);
});

test('jump to time takes a time with a unit and refuses anything else at the field', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runUntilMs(page, 3000);
  await page.locator('#jump-time').fill('1.5s');
  await page.getByRole('button', { name: 'Go', exact: true }).click();
  await expect(page.locator('#jump-error')).toContainText("'1.5s' is not a time");
  await expect(page.locator('#jump-time')).toHaveAttribute('aria-invalid', 'true');
  expect((await moment(page)).live).toBe(true);
  await page.locator('#jump-time').fill('9s');
  await page.getByRole('button', { name: 'Go', exact: true }).click();
  await expect(page.locator('#jump-error')).toContainText("after the run's head");
  expect((await moment(page)).live).toBe(true);
  await page.locator('#jump-time').fill('1500ms');
  await page.locator('#jump-time').press('Enter');
  await expect(page.locator('#jump-error')).toBeEmpty();
  expect((await moment(page)).time_us).toBe(1_500_000);
  expect(problems).toEqual([]);
});

test('every new text has Korean: the timeline, the time controls and the log switch', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runUntilMs(page, 1000);
  await hook(page, 'back(3)');
  await page.locator('#lang').click();
  await expect(page.getByRole('button', { name: '한 단계 뒤로' })).toBeVisible();
  await expect(page.locator('#live')).toHaveText('라이브');
  await expect(page.locator('#log-title')).toHaveText('이벤트 로그');
  await expect(page.locator('#timeline-title')).toHaveText('타임라인');
  await expect(page.locator('#time-position')).toContainText('과거');
  await expect(page.locator('#mark-kind option[value="rebalance"]')).toHaveText('리밸런싱');
  await expect(page.locator('#log-node option[value="broker:0"]')).toHaveText('브로커 0');
  await expect(page.locator('#copy-link')).toHaveText('링크 복사');
  const ko = await page.locator('#event-log li:not([hidden])').allTextContents();
  expect(ko.some((t) => t.includes('프로듀서') || t.includes('브로커'))).toBe(true);
  await expect(page.locator('#timeline')).toHaveAttribute('aria-label', /타임라인/);
  await page.locator('#jump-time').fill('abc');
  await page.getByRole('button', { name: '이동', exact: true }).click();
  await expect(page.locator('#jump-error')).toContainText("'abc'은(는) 시간이 아닙니다");
  await page.locator('#lang').click();
  await expect(page.locator('#live')).toHaveText('Live');
  await expect(page.locator('#log-title')).toHaveText('Event log');
  const messages: any[] = (await hook(page, 'messages')) as any[];
  for (const [key, en, ko2] of messages) {
    expect(en, key).not.toBe('');
    expect(ko2, key).not.toBe('');
  }
  expect(problems).toEqual([]);
});

test('the link: the address follows the run; opened in a new page it is the same moment', async ({ page, context, baseURL }) => {
  const problems = collectProblems(page);
  await open(page);
  await runWithAFault(page);
  await hook(page, 'back(40)');
  const url = (await hook(page, 'url()')) as string;
  expect(url).toContain('#v=1&seed=1&in=');
  await expect.poll(() => page.evaluate(() => location.hash)).toBe('#' + url.split('#')[1]);
  const snap = await snapshot(page);
  const hash = await traceHash(page);
  const history = await page.evaluate(() => history.length);
  // The CLI runs the same link headless to the same trace hash (when it is built).
  const cli = path.join(__dirname, '../../target/debug/streamscope');
  if (fs.existsSync(cli)) {
    const out = JSON.parse(execFileSync(cli, ['run', '--from-url', url, '--json']).toString());
    expect(out.trace_hash).toBe(snap.trace_hash);
    expect(out.trace_hash).toBe(hash);
    expect(out.events).toBe(snap.events);
  }

  const other = await context.newPage();
  const otherProblems = collectProblems(other);
  await other.goto(url);
  await expect(other.locator('body')).toHaveAttribute('data-ready', 'true');
  expect(await traceHash(other)).toBe(hash);
  expect(await snapshot(other)).toEqual(snap);
  await expect(other.locator('#message')).toContainText('Opened from the link');
  expect(otherProblems).toEqual([]);
  await other.close();

  // Playing rewrites the fragment in place: no new history entry per frame.
  await page.getByLabel('Speed').selectOption('1');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(800);
  await page.getByRole('button', { name: 'Pause' }).click();
  expect(await page.evaluate(() => history.length)).toBe(history);
  expect(await page.evaluate(() => location.hash)).not.toBe('#' + url.split('#')[1]);
  // Copy link puts the address on the clipboard.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.locator('#message')).toContainText('Link copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await hook(page, 'url()'));
  expect(problems).toEqual([]);
});

test('a garbled or out-of-range link opens the preset and names the part; no HTML gets in', async ({ page }) => {
  const problems = collectProblems(page);
  await page.goto('/#v=1&seed=12x');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#message')).toContainText("The link's part seed could not be read");
  expect((await snapshot(page)).seed).toBe(1);
  await page.goto('/#v=1&seed=3&at=999999.1');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#message')).toContainText('part at');
  await page.goto('/#v=1&seed=1&%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E=1');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#message')).toContainText('could not be read');
  expect(await page.locator('#message img').count()).toBe(0);
  expect(problems).toEqual([]);
});
