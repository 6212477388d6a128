import { expect, type Page } from '@playwright/test';

// Shared by the end-to-end specs: what counts as a problem on the page, how to open it, and
// how to read the simulator's state through window.streamscope.

export type Snapshot = any;

/** Console errors and warnings, page errors, failed (not aborted) requests and HTTP errors; call before
 *  page.goto and expect the list to be empty at the end. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  // A request the page's own navigation cut short (a reload while the zstd module or a font
  // subset was loading) is aborted, not failed; anything else is a problem.
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText ?? '';
    if (why !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()} (${why})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

/** Loads the page and waits until the app has started. */
export async function open(page: Page) {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

export async function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(() => (window as any).streamscope.snapshot());
}

/** Runs the simulation to `ms` simulated milliseconds. */
export async function runUntilMs(page: Page, ms: number) {
  await page.evaluate((t) => (window as any).streamscope.runUntilMs(t), ms);
}
