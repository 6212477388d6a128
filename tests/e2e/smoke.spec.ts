import { test, expect, type Page } from '@playwright/test';

/** Collects console errors, uncaught page errors and failed requests; call before page.goto. */
function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) =>
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

test('the app loads its wasm, sets the title and shows a canvas, without errors', async ({ page }) => {
  const problems = collectProblems(page);
  const wasm = page.waitForResponse((res) => res.url().endsWith('.wasm'));

  await page.goto('/');

  const wasmResponse = await wasm;
  expect(wasmResponse.ok()).toBe(true);
  expect(wasmResponse.headers()['content-type']).toContain('application/wasm');
  await expect(page).toHaveTitle(/Streamscope/);
  await expect(page.locator('canvas').first()).toBeVisible();
  await page.waitForLoadState('networkidle');

  expect(problems).toEqual([]);
});
