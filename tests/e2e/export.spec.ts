import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open } from './helpers';

// The Export panel ("Use it for real"): the settings the page runs with next, as the core
// writes them (Java Properties, kafka-python), the same text through
// window.streamscope.exportConfig, a working Copy button, and all of it by keyboard.

const exportConfig = (page: Page, format: unknown) =>
  page.evaluate((f) => {
    const r = (window as any).streamscope.exportConfig(f);
    return r instanceof Error ? { error: r.message } : { text: r };
  }, format);

test('the export shows the current settings in both formats, as exportConfig does', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  const refused = await page.evaluate(() => (window as any).streamscope.apply('linger.ms', '20'));
  expect(refused).toBeNull();
  const java = await exportConfig(page, 'java');
  expect(java.text).toContain('linger.ms=20\n');
  expect(java.text).not.toContain('linger.ms=5\n');
  const python = await exportConfig(page, 'kafka-python');
  expect(python.text).toContain('linger_ms=20');
  expect(python.text).toContain('KafkaProducer(');

  await page.locator('#export-group > summary').click();
  const text = page.locator('#export-text');
  await expect(text).toBeVisible();
  await expect(text).toHaveText(java.text!, { useInnerText: false });
  await page.locator('#export-format').selectOption('kafka-python');
  await expect(text).toHaveText(python.text!, { useInnerText: false });

  // Another change refreshes the panel.
  await page.evaluate(() => (window as any).streamscope.apply('linger.ms', '35'));
  await expect(text).toContainText('linger_ms=35');
  expect((await exportConfig(page, 'kafka-python')).text).toContain('linger_ms=35');
  expect(problems).toEqual([]);
});

test('exportConfig names a bad argument and the formats allowed', async ({ page }) => {
  await open(page);
  for (const bad of ['yaml', 'Java', '', 42, null]) {
    const r = await exportConfig(page, bad);
    expect(r.error, `exportConfig(${JSON.stringify(bad)})`).toContain("'java', 'kafka-python'");
    expect(r.error).toContain('format');
  }
  expect((await exportConfig(page, 'yaml')).error).toContain("'yaml'");
});

test('the panel is in Korean too', async ({ page }) => {
  await open(page);
  await page.locator('#lang').click();
  await page.locator('#export-group > summary').click();
  await expect(page.locator('#export-group > summary')).toHaveText('내보내기');
  await expect(page.locator('#export-copy')).toHaveText('복사');
  await expect(page.locator('#export-format-label')).toHaveText('형식');
});

test('keyboard only: open the group, choose the format, copy', async ({ page, context }) => {
  test.setTimeout(90_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const problems = collectProblems(page);
  await open(page);
  await page.evaluate(() => (window as any).streamscope.apply('linger.ms', '20'));
  const summary = page.locator('#export-group > summary');
  // Tab until the group's summary has the focus (it is a focusable control in tab order).
  for (let i = 0; i < 200; i++) {
    if (await summary.evaluate((e) => e === document.activeElement)) break;
    await page.keyboard.press('Tab');
  }
  await expect(summary).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#export-group')).toHaveAttribute('open', '');
  await page.keyboard.press('Tab');
  await expect(page.locator('#export-format')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('#export-format')).toHaveValue('kafka-python');
  await page.keyboard.press('Tab');
  await expect(page.locator('#export-copy')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#export-status')).toContainText('kafka-python');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const expected = (await exportConfig(page, 'kafka-python')).text;
  expect(copied).toBe(expected);
  expect(copied).toContain('linger_ms=20');
  expect(problems).toEqual([]);
});
