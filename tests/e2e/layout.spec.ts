import { expect, test, type Page } from '@playwright/test';
import { collectProblems, open } from './helpers';

// The page's layout (issue 14): the animation and the timeline fill the first screen, the
// controls live in one side panel of collapsible concept groups (under the animation on narrow
// screens), a refused value is said at its field in the page's language and the field keeps
// what was typed, the language survives a reload, the Hangul webfont comes from the page's own
// origin, and everything is reachable by keyboard.

const GROUPS = [
  'group-record',
  'group-partitioner',
  'group-compression',
  'group-accumulator',
  'group-sender',
  'group-brokers',
  'group-consumers',
  'group-transactions',
  'group-faults',
  'group-any-setting',
  'calc-group',
  'scenario-group',
  'metrics-group',
  'export-group', 'compare-group',
];

async function box(page: Page, selector: string) {
  const b = await page.locator(selector).boundingBox();
  expect(b, `${selector} has a box`).not.toBeNull();
  return b!;
}

for (const [width, height] of [
  [1440, 900],
  [1280, 720],
]) {
  test(`at ${width}x${height} the animation and the timeline fill the first screen, the side panel beside them`, async ({ page }) => {
    const problems = collectProblems(page);
    await page.setViewportSize({ width, height });
    await open(page);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    for (const id of ['#canvas', '#timeline']) {
      const b = await box(page, id);
      expect(b.x, id).toBeGreaterThanOrEqual(0);
      expect(b.y, id).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width, id).toBeLessThanOrEqual(width);
      expect(b.y + b.height, id).toBeLessThanOrEqual(height);
    }
    const canvas = await box(page, '#canvas');
    // Large enough to read: at least half the screen wide.
    expect(canvas.width).toBeGreaterThan(width / 2);
    const side = await box(page, '#side-panel');
    expect(side.x).toBeGreaterThanOrEqual(canvas.x + canvas.width);
    expect(side.y).toBeLessThan(canvas.y + canvas.height);
    // The top bar keeps only the run's controls.
    for (const name of ['Play', 'Step back', 'Step', 'Live', 'Reset', 'Scenarios', 'Language / 언어']) {
      await expect(page.locator('header').getByRole('button', { name, exact: true })).toBeVisible();
    }
    await expect(page.locator('header').getByLabel('Speed')).toBeVisible();
    await expect(page.locator('header').getByLabel('Seed')).toBeVisible();
    await expect(page.locator('header').getByLabel('linger.ms')).toHaveCount(0);
    expect(problems).toEqual([]);
  });
}

test('at 800 px wide the side panel is under the animation', async ({ page }) => {
  const problems = collectProblems(page);
  await page.setViewportSize({ width: 800, height: 1000 });
  await open(page);
  const canvas = await box(page, '#canvas');
  const timeline = await box(page, '#timeline');
  const side = await box(page, '#side-panel');
  expect(side.y).toBeGreaterThanOrEqual(timeline.y + timeline.height);
  expect(side.y).toBeGreaterThanOrEqual(canvas.y + canvas.height);
  expect(canvas.x + canvas.width).toBeLessThanOrEqual(800);
  // Nothing wider than the screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
  expect(problems).toEqual([]);
});

test('each concept group exists in the order a record meets it, collapses, and says when it applies', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = collectProblems(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await open(page);
  const ids = await page.locator('#side-panel > details').evaluateAll((ds) => ds.map((d) => d.id));
  expect(ids).toEqual(GROUPS);
  for (const id of GROUPS) {
    const group = page.locator(`#${id}`);
    const summary = group.locator('> summary');
    const wasOpen = await group.evaluate((d) => (d as HTMLDetailsElement).open);
    await summary.click();
    await expect.poll(() => group.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(!wasOpen);
    await summary.click();
    await expect.poll(() => group.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(wasOpen);
  }
  // Closed, a group's fields are hidden.
  await page.locator('#group-accumulator > summary').click();
  await expect(page.locator('#batch-size')).toBeHidden();
  await page.locator('#group-accumulator > summary').click();
  await expect(page.locator('#batch-size')).toBeVisible();
  // The badges come from the core's registry: producer settings apply now, brokers' on Reset.
  const badge = (id: string) => page.locator(`#${id} > summary .badge`);
  await expect(badge('group-accumulator')).toHaveText('applies now');
  await expect(badge('group-brokers')).toHaveText('on Reset');
  await expect(badge('group-consumers')).toHaveText('on Reset');
  await expect(badge('group-transactions')).toHaveAttribute('data-apply', 'mixed');
  await page.getByRole('button', { name: 'Language / 언어' }).click();
  await expect(badge('group-accumulator')).toHaveText('즉시 적용');
  await expect(badge('group-brokers')).toHaveText('초기화 시 적용');
  expect(problems).toEqual([]);
});

test('the common settings have real controls, applied through the core', async ({ page }) => {
  const problems = collectProblems(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await open(page);
  const current = (name: string) =>
    page.evaluate((n) => (window as any).streamscope.snapshot().settings?.[n] ?? null, name);
  // compression.type's options are the registry's, Kafka's default marked.
  const codec = page.getByLabel('compression.type');
  await expect(codec.locator('option')).toHaveText(['none (default)', 'gzip', 'snappy', 'lz4', 'zstd']);
  await codec.selectOption('zstd');
  await expect(page.locator('#message')).toHaveText('Applied: compression.type=zstd');
  await page.getByLabel('batch.size').fill('1024');
  await page.getByLabel('batch.size').press('Tab');
  await expect(page.locator('#message')).toHaveText('Applied: batch.size=1024');
  await page.getByLabel('max.poll.records').fill('10');
  await page.getByLabel('max.poll.records').press('Tab');
  await expect(page.locator('#message')).toContainText('max.poll.records=10');
  await expect(page.locator('#pending-reset')).toContainText('max.poll.records=10');
  await page.getByLabel('enable.auto.commit').uncheck();
  await expect(page.locator('#pending-reset')).toContainText('enable.auto.commit=false');
  for (const label of ['key.serializer', 'value.serializer', 'auto.offset.reset']) {
    await expect(page.getByLabel(label, { exact: true })).toBeVisible();
  }
  for (const label of ['buffer.memory', 'max.in.flight.requests.per.connection', 'fetch.min.bytes', 'fetch.max.wait.ms', 'max.partition.fetch.bytes']) {
    await expect(page.getByLabel(label, { exact: true })).toBeVisible();
  }
  void current;
  // "Any setting": a searchable list of every setting with its range and default.
  await page.locator('#group-any-setting > summary').click();
  const rows = page.locator('#setting-list li:not([hidden])');
  const all = await rows.count();
  expect(all).toBeGreaterThan(60);
  await page.getByLabel('Find a setting').fill('session.timeout');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('session.timeout.ms');
  await expect(rows.first()).toContainText('default 45000');
  await expect(rows.first()).toContainText('on Reset');
  await rows.first().getByRole('button').click();
  await expect(page.locator('#setting')).toHaveValue(/^session\.timeout\.ms=\d+$/);
  await expect(page.locator('#setting')).toBeFocused();
  expect(problems).toEqual([]);
});

test('a refused value is said at its field, in English and in Korean, and the field keeps it', async ({ page }) => {
  test.setTimeout(60_000);
  const problems = collectProblems(page);
  await page.setViewportSize({ width: 1280, height: 720 });
  await open(page);
  const field = page.getByLabel('batch.size');
  await field.fill('-1');
  await field.press('Tab');
  const error = page.locator('#batch-size-error');
  await expect(error).toHaveText('batch.size: -1 is out of range: expected an integer from 0 to 2147483647');
  await expect(error).toHaveAttribute('role', 'alert');
  await expect(field).toHaveAttribute('aria-describedby', /batch-size-error/);
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(error).toBeVisible();
  // Next to the field: within a few lines of it.
  const f = (await field.boundingBox())!;
  const e = (await error.boundingBox())!;
  expect(Math.abs(e.y - (f.y + f.height))).toBeLessThan(40);
  await expect(page.locator('#message')).toHaveText(/^Refused: batch\.size: -1 is out of range/);
  // Another control applied, a step and a frame: the typed text stays.
  await page.getByLabel('acks', { exact: true }).selectOption('1');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(field).toHaveValue('-1');

  // In Korean, a duration typed wrong.
  await page.getByRole('button', { name: 'Language / 언어' }).click();
  const linger = page.getByLabel('linger.ms');
  await linger.fill('abc');
  await linger.press('Tab');
  const lingerError = page.locator('#linger-error');
  await expect(lingerError).toHaveText(/^linger\.ms: 'abc'은\(는\) 올바른 값이 아닙니다: 0ms부터 1d|^linger\.ms: 'abc'은\(는\) 올바른 값이 아닙니다/);
  await expect(lingerError).not.toContainText('expected');
  await expect(lingerError).not.toContainText('us');
  await expect(page.locator('#message')).toHaveText(/^거부됨: linger\.ms: 'abc'은\(는\) 올바른 값이 아닙니다/);
  await expect(linger).toHaveValue('abc');
  await expect(field).toHaveValue('-1');
  // Changed to a value the core takes: the message goes.
  await linger.fill('20');
  await linger.press('Tab');
  await expect(lingerError).toHaveText('');
  await expect(linger).toHaveAttribute('aria-invalid', 'false');
  await expect(page.locator('#message')).toHaveText('적용됨: linger.ms=20');
  // The free box speaks the page's words, never the CLI's.
  await page.locator('#group-any-setting > summary').click();
  await page.locator('#setting').fill('no.such.setting=1');
  await page.locator('#setting').press('Enter');
  await expect(page.locator('#setting-error')).toContainText('없는 설정입니다');
  await expect(page.locator('#message')).not.toContainText('--help');
  await expect(page.locator('#setting')).toHaveValue('no.such.setting=1');
  expect(problems).toEqual([]);
});

test('the language survives a reload and goes in the link; a link\'s language wins', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await page.getByRole('button', { name: 'Language / 언어' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('lang=ko');
  // A fresh visit without the link keeps Korean.
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.locator('#reset')).toHaveText('초기화');
  await expect(page.locator('#assignor option').first()).toHaveText('range, cooperative-sticky (기본값)');
  // A link naming English opens in English even though Korean is kept.
  const url = await page.evaluate(() => (window as any).streamscope.url() as string);
  await page.goto(url.replace('lang=ko', 'lang=en'));
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(problems).toEqual([]);
});

test('Korean text is drawn with the self-hosted Hangul webfont, from the page\'s own origin', async ({ page, baseURL }) => {
  const problems = collectProblems(page);
  const origin = new URL(baseURL!).origin;
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript(() => localStorage.setItem('streamscope.lang', 'ko'));
  await open(page);
  await expect(page.locator('#reset')).toHaveText('초기화');
  await page.evaluate(() => document.fonts.ready);
  await expect
    .poll(() =>
      page.evaluate(() =>
        [...document.fonts].some((f) => f.family.replace(/"/g, '') === 'Streamscope Noto Sans KR' && f.status === 'loaded'),
      ),
    )
    .toBe(true);
  expect(await page.evaluate(() => document.fonts.check('14px "Streamscope Noto Sans KR"', '초기화'))).toBe(true);
  const woff2 = requests.filter((u) => u.endsWith('.woff2'));
  expect(woff2.length).toBeGreaterThan(0);
  // Only the subsets on screen: far fewer than the 240 files shipped.
  expect(woff2.length).toBeLessThan(120);
  for (const u of requests.filter((u) => !u.startsWith('data:'))) expect(new URL(u).origin, u).toBe(origin);
  expect(problems).toEqual([]);
});

test('every control has an accessible name; Scenario and Export open by keyboard; focus is visible', async ({ page }) => {
  const problems = collectProblems(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await open(page);
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll('button, input, select, summary, [tabindex]')]
      .filter((e) => !e.closest('[hidden]'))
      .filter((e) => {
        const el = e as HTMLElement & { labels?: NodeListOf<HTMLLabelElement> };
        if (el.labels && el.labels.length > 0) return false;
        if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
        return !(el.textContent ?? '').trim();
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  expect(unnamed).toEqual([]);
  // The Scenarios button, by keyboard, opens the scenario group and moves the focus there.
  await page.locator('#open-scenarios').focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('#scenario-group').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
  await expect(page.locator('#scenario-group > summary')).toBeFocused();
  // Only the side panel scrolled: the animation stays on screen.
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  // Export: Tab onto its heading, Enter opens it, Enter again closes it.
  const exportSummary = page.locator('#export-group > summary');
  await page.locator('#metrics-group > summary').focus();
  await page.keyboard.press('Tab');
  await expect(exportSummary).toBeFocused();
  const outline = await exportSummary.evaluate((e) => getComputedStyle(e).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('#export-group').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('#export-group').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  // A setting by keyboard alone: focus the codec select, pick with the arrows.
  await page.getByLabel('compression.type').focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('#message')).toHaveText('Applied: compression.type=gzip');
  expect(problems).toEqual([]);
});

test('the page links to FIDELITY.md, served from its own origin, in both languages', async ({ page, baseURL }) => {
  const problems = collectProblems(page);
  await open(page);
  const link = page.locator('#fidelity-link');
  await expect(link).toContainText('FIDELITY.md');
  const href = await link.evaluate((a) => (a as HTMLAnchorElement).href);
  expect(href.startsWith(baseURL!)).toBe(true);
  const res = await page.request.get(href);
  expect(res.status()).toBe(200);
  expect(await res.text()).toMatch(/^# Fidelity/);
  await page.getByRole('button', { name: 'Language / 언어' }).click();
  await expect(link).toContainText('무엇이 정확한지');
  expect(problems).toEqual([]);
});
