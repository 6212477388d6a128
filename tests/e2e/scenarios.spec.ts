import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open } from './helpers';

// The guided scenarios (issue 14): the panel lists the core's catalog, a scenario plays
// through its steps in both languages, each step's world is the one the core's player
// reached (the trace hash the player had there, exposed by scenarioStep().expected_hash),
// its claims hold, and the learner can step by keyboard, go back and forth, leave and return.

type Row = { id: string; title: { en: string; ko: string }; summary: { en: string; ko: string }; concept: string; steps: number };
type Step = {
  id: string; step: number; steps: number; at_step: boolean;
  expected_hash: string; trace_hash: string; expected_events: number; events: number;
  claims: { check: string; passed: boolean; message: string; says: string }[];
  highlight: string[]; outlined: number; try_set: [string, string] | null;
};

const hook = (page: Page) => ({
  scenarios: () => page.evaluate(() => (window as any).streamscope.scenarios() as Row[]),
  open: (id: string) => page.evaluate((i) => (window as any).streamscope.openScenario(i) as string | null, id),
  step: () => page.evaluate(() => (window as any).streamscope.scenarioStep() as Step | null),
  next: () => page.evaluate(() => (window as any).streamscope.scenarioNext() as string | null),
  back: () => page.evaluate(() => (window as any).streamscope.scenarioBack() as string | null),
});

async function setLanguage(page: Page, lang: 'en' | 'ko') {
  if ((await page.locator('html').getAttribute('lang')) !== lang) await page.locator('#lang').click();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

/** The step shown is the player's world, its claims hold, and the panel says so. */
async function expectStep(page: Page, row: Row, k: number, lang: 'en' | 'ko') {
  const s = (await hook(page).step())!;
  expect(s, `${row.id} step ${k}`).not.toBeNull();
  expect(s.step).toBe(k);
  expect(s.steps).toBe(row.steps);
  expect(s.trace_hash, `${row.id} step ${k}: the world is the player's`).toBe(s.expected_hash);
  expect(s.events).toBe(s.expected_events);
  expect(s.at_step).toBe(true);
  expect(s.claims.length, `${row.id} step ${k} claims something`).toBeGreaterThan(0);
  for (const c of s.claims) expect(c.passed, `${row.id} step ${k}: ${c.check}: ${c.message}`).toBe(true);
  const panel = page.locator('#scenario-step');
  await expect(panel).toBeVisible();
  await expect(panel).toHaveAttribute('data-step', String(k));
  await expect(panel).toHaveAttribute('data-away', 'false');
  await expect(page.locator('#scenario-title')).toHaveText(row.title[lang]);
  await expect(page.locator('#scenario-narration')).not.toBeEmpty();
  const items = page.locator('#scenario-claims li');
  await expect(items).toHaveCount(s.claims.length);
  await expect(page.locator('#scenario-claims li[data-passed="true"]')).toHaveCount(s.claims.length);
  await expect(items.first()).toContainText(s.claims[0].says);
  if (lang === 'ko') await expect(page.locator('#scenario-narration')).toHaveText(/[가-힣]/);
  // The canvas outlines what the step names (those the world has).
  expect(s.outlined).toBeLessThanOrEqual(s.highlight.length);
}

test('the panel lists every scenario of the catalog, by concept, in both languages', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  const rows = await hook(page).scenarios();
  expect(rows.length).toBeGreaterThanOrEqual(12);
  for (const r of rows) {
    expect(r.id).toMatch(/^[a-z0-9-]+$/);
    expect(r.title.en.length).toBeGreaterThan(0);
    expect(r.title.ko).toMatch(/[가-힣]/);
    expect(r.steps).toBeGreaterThan(0);
  }
  for (const lang of ['en', 'ko'] as const) {
    await setLanguage(page, lang);
    const buttons = page.locator('#scenario-list button.scn-item');
    await expect(buttons).toHaveCount(rows.length);
    // Catalog order, grouped by concept in the order the catalog first names each.
    const ids = await buttons.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-scenario')));
    const concepts: string[] = [];
    for (const r of rows) if (!concepts.includes(r.concept)) concepts.push(r.concept);
    const grouped = concepts.flatMap((c) => rows.filter((r) => r.concept === c).map((r) => r.id));
    expect(ids).toEqual(grouped);
    for (const r of rows) {
      const b = page.locator(`#scenario-open-${r.id}`);
      await expect(b.locator('.scn-item-title')).toHaveText(r.title[lang]);
      await expect(b.locator('.scn-item-summary')).toHaveText(r.summary[lang]);
      await expect(b).toHaveAttribute('aria-label', new RegExp(r.title[lang].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    }
    await expect(page.locator('#scenario-list .scn-concept')).toHaveCount(concepts.length);
  }
  expect(problems).toEqual([]);
});

for (const lang of ['en', 'ko'] as const) {
  test(`every scenario plays through all its steps in ${lang}: the player's world, its claims hold`, async ({ page }) => {
    test.setTimeout(600_000);
    const problems = collectProblems(page);
    await open(page);
    await setLanguage(page, lang);
    const rows = await hook(page).scenarios();
    for (const row of rows) {
      expect(await hook(page).open(row.id), row.id).toBeNull();
      await expectStep(page, row, 1, lang);
      for (let k = 2; k <= row.steps; k++) {
        expect(await hook(page).next(), `${row.id} next to ${k}`).toBeNull();
        await expectStep(page, row, k, lang);
      }
      expect(await hook(page).next()).toMatch(lang === 'ko' ? /마지막/ : /last step/);
    }
    expect(problems).toEqual([]);
  });
}

test('an unknown scenario id is refused, naming it and the ids there are', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  const e = await hook(page).open('no-such-thing');
  expect(e).toContain("'no-such-thing'");
  expect(e).toContain('acks');
  expect(e).toContain('record-anatomy');
  expect(await hook(page).step()).toBeNull();
  expect(problems).toEqual([]);
});

test('keyboard only: open a scenario from the list and step it', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  const rows = await hook(page).scenarios();
  const acks = rows.find((r) => r.id === 'acks')!;
  const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
  // The top bar's Scenarios button opens the side panel's scenario group.
  let found = false;
  for (let i = 0; i < 60 && !found; i++) {
    await page.keyboard.press('Tab');
    found = (await focused()) === 'open-scenarios';
  }
  expect(found, 'Tab reaches the Scenarios button').toBe(true);
  await page.keyboard.press('Enter');
  found = false;
  for (let i = 0; i < 300 && !found; i++) {
    await page.keyboard.press('Tab');
    found = (await focused()) === 'scenario-open-acks';
  }
  expect(found, 'Tab reaches the acks scenario').toBe(true);
  await page.keyboard.press('Enter');
  await expectStep(page, acks, 1, 'en');
  expect(await focused()).toBe('scenario-title');
  // Tab to Next, Enter.
  found = false;
  for (let i = 0; i < 20 && !found; i++) {
    await page.keyboard.press('Tab');
    found = (await focused()) === 'scenario-next';
  }
  expect(found, 'Tab reaches Next').toBe(true);
  await expect(page.locator('#scenario-next')).toHaveAccessibleName('Next step');
  await page.keyboard.press('Enter');
  await expectStep(page, acks, 2, 'en');
  expect(await focused()).toBe('scenario-next');
  // Alt+→ and Alt+← step too (not one event, as → alone does).
  await page.keyboard.press('Alt+ArrowRight');
  await expectStep(page, acks, 3, 'en');
  await page.keyboard.press('Alt+ArrowLeft');
  await expectStep(page, acks, 2, 'en');
  // Back to the list and its first button.
  found = false;
  for (let i = 0; i < 20 && !found; i++) {
    await page.keyboard.press('Shift+Tab');
    found = (await focused()) === 'scenario-close';
  }
  expect(found, 'Shift+Tab reaches "All scenarios"').toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.locator('#scenario-list')).toBeVisible();
  expect(await focused()).toMatch(/^scenario-open-/);
  expect(problems).toEqual([]);
});

test('Back then Next returns the same world', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  const rows = await hook(page).scenarios();
  for (const id of ['acks', 'idempotence', 'kraft-elections']) {
    const row = rows.find((r) => r.id === id)!;
    expect(await hook(page).open(id)).toBeNull();
    const first = (await hook(page).step())!.trace_hash;
    expect(await hook(page).next()).toBeNull();
    const second = (await hook(page).step())!.trace_hash;
    expect(second).not.toBe(first);
    await page.locator('#scenario-back').click();
    await expectStep(page, row, 1, 'en');
    expect((await hook(page).step())!.trace_hash).toBe(first);
    await page.locator('#scenario-next').click();
    await expectStep(page, row, 2, 'en');
    expect((await hook(page).step())!.trace_hash).toBe(second);
  }
  expect(problems).toEqual([]);
});

test('leave a step to explore, then "Return to step" puts the world back', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  const rows = await hook(page).scenarios();
  const acks = rows.find((r) => r.id === 'acks')!;
  expect(await hook(page).open('acks')).toBeNull();
  const expected = (await hook(page).step())!.expected_hash;
  // Play on: the world leaves the step's moment.
  await page.evaluate(() => (window as any).streamscope.step(40));
  let s = (await hook(page).step())!;
  expect(s.at_step).toBe(false);
  expect(s.trace_hash).not.toBe(expected);
  await expect(page.locator('#scenario-away')).toBeVisible();
  await expect(page.locator('#scenario-step')).toHaveAttribute('data-away', 'true');
  await page.locator('#scenario-return').click();
  await expectStep(page, acks, 1, 'en');
  await expect(page.locator('#scenario-away')).toBeHidden();
  // Try the step's change: a setting through the normal path forks the run.
  expect(s.try_set).toEqual(['acks', 'all']);
  await page.locator('#scenario-try-set').click();
  await expect.poll(async () => (await page.evaluate(() => (window as any).streamscope.branches())).length).toBeGreaterThan(0);
  await expect.poll(async () => (await page.evaluate(() => (window as any).streamscope.config('acks'))).running).toBe('all');
  await page.locator('#play').click(); // pause
  s = (await hook(page).step())!;
  expect(s.at_step).toBe(false);
  // The forked run no longer has step 2's moment: Next opens the scenario's run again.
  expect(await hook(page).next()).toBeNull();
  await expectStep(page, acks, 2, 'en');
  await page.locator('#scenario-back').click();
  await expectStep(page, acks, 1, 'en');
  expect((await hook(page).step())!.trace_hash).toBe(expected);
  // The link of the step opens the same world.
  const url = await page.evaluate(() => (window as any).streamscope.url() as string);
  expect(url).toContain('#v=1');
  expect(problems).toEqual([]);
});

// The scenario and its step ride in the link (`scn=<id>.<step>`): a reload, or the link opened
// in another page, shows the same step of the same scenario; a learner who had left the step
// is shown away from it; a link naming a scenario the catalog lacks is refused naming `scn`.
test('the scenario step is in the link and survives a reload', async ({ page, context }) => {
  const problems = collectProblems(page);
  await open(page);
  const acks = (await hook(page).scenarios()).find((r) => r.id === 'acks')!;
  expect(await hook(page).open('acks')).toBeNull();
  expect(await hook(page).next()).toBeNull();
  const url = await page.evaluate(() => (window as any).streamscope.url() as string);
  expect(url).toContain('&scn=acks.2');
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('scn=acks.2');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect.poll(async () => (await hook(page).step())?.step ?? 0).toBe(2);
  await expectStep(page, acks, 2, 'en');
  // Left the step, then shared: the other page is away from step 2, and Return brings it back.
  await page.evaluate(() => (window as any).streamscope.step(40));
  const away = await page.evaluate(() => (window as any).streamscope.url() as string);
  expect(away).toContain('&scn=acks.2');
  const other = await context.newPage();
  const otherProblems = collectProblems(other);
  await other.goto(away);
  await expect(other.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect.poll(async () => (await hook(other).step())?.at_step).toBe(false);
  await expect(other.locator('#scenario-step')).toHaveAttribute('data-away', 'true');
  await other.locator('#scenario-return').click();
  await expectStep(other, acks, 2, 'en');
  // Closing the scenario takes it out of the link.
  await other.locator('#scenario-close').click();
  await expect.poll(() => other.evaluate(() => (window as any).streamscope.url() as string)).not.toContain('scn=');
  // A scenario the catalog lacks, or a step it does not have: refused, naming scn.
  await other.goto(away.replace('scn=acks.2', 'scn=no-such-scenario.1'));
  await expect(other.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(other.locator('#message')).toContainText('scn');
  await expect(other.locator('#message')).toContainText('no-such-scenario');
  await other.goto(away.replace('scn=acks.2', 'scn=acks.99'));
  await expect(other.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(other.locator('#message')).toContainText('scn');
  expect(problems).toEqual([]);
  expect(otherProblems).toEqual([]);
});
