import { test, expect, type Page } from '@playwright/test';
import { collectProblems, open, runUntilMs } from './helpers';

// The metrics panel (issue 14, "Metrics under Kafka's names"): window.streamscope.metrics()
// is the core's snapshot; #metrics-panel shows the key metrics under Kafka's names grouped by
// node, values in the page's units; after a learner's change (here: kill a broker) it shows
// Was / Now / Delta titled with the change.

async function metrics(page: Page): Promise<any> {
  return page.evaluate(() => (window as any).streamscope.metrics());
}

/** The (was, now) raw values of every UnderReplicatedPartitions row the table shows. */
async function urpRows(page: Page): Promise<{ was: number; now: number }[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('#metrics-table tr[data-metric="UnderReplicatedPartitions"]')).map((tr) => ({
      was: Number(tr.querySelector('td.was')?.getAttribute('data-value')),
      now: Number(tr.querySelector('td.now')?.getAttribute('data-value')),
    })),
  );
}

for (const lang of [
  { locale: 'en-US', rate: /records\/s$/, after: 'after: ', open: "Metrics (Kafka's names)" },
  { locale: 'ko-KR', rate: /^초당 .+건$/, after: '변경 후: ', open: '메트릭 (Kafka 이름)' },
]) {
  test.describe(lang.locale, () => {
    test.use({ locale: lang.locale });

    test(`metrics under Kafka's names, then Was / Now / Delta after killing a broker (${lang.locale})`, async ({ page }) => {
      const problems = collectProblems(page);
      await open(page);
      await runUntilMs(page, 3000);
      const snap = await metrics(page);
      expect(snap.time_us).toBe(3_000_000);
      const send = snap.rows.find((r: any) => r.name === 'record-send-rate' && r.node.kind === 'producer');
      expect(send.value).toBeGreaterThan(0);
      expect(send.unit).toBe('records/s');
      expect(snap.rows.some((r: any) => r.name === 'MessagesInPerSec' && r.attribute === 'OneMinuteRate')).toBe(true);

      // The panel (in its <details>) shows it under Kafka's name, in the page's units.
      await page.locator('#metrics-group > summary').click();
      await expect(page.locator('#metrics-group > summary')).toHaveText(lang.open);
      const cell = page.locator('#metrics-table tr[data-node="producer-0"][data-metric="record-send-rate"] td.now');
      await expect(cell).toHaveText(lang.rate);
      expect(Number(await cell.getAttribute('data-value'))).toBeGreaterThan(0);
      // An average with nothing recorded is NaN in Kafka, shown as —.
      const nan = snap.rows.find((r: any) => r.value === null && r.attribute === '' && r.tags === '');
      if (nan) {
        await expect(page.locator(`#metrics-table tr[data-metric="${nan.name}"] td.now`).first()).toHaveText('—');
      }
      // "all metrics" shows every row, the key view fewer.
      const keyRows = await page.locator('#metrics-table tr.metrics-row').count();
      await page.locator('#metrics-view').selectOption('all');
      await expect(page.locator('#metrics-table tr.metrics-row')).toHaveCount(snap.rows.length);
      expect(keyRows).toBeLessThan(snap.rows.length);
      await page.locator('#metrics-view').selectOption('key');
      await expect(page.locator('#metrics-table tr.metrics-row')).toHaveCount(keyRows);

      // Kill broker 1, play on past the controller's fence: Was / Now / Delta, titled.
      await page.locator('#kill-broker-1').click();
      await expect(page.locator('#metrics-title')).toHaveText(new RegExp(`^${lang.after}`));
      await runUntilMs(page, 16_000);
      await expect(page.locator('#metrics-table')).toHaveAttribute('data-mode', 'delta');
      await expect(page.locator('#metrics-table th', { hasText: lang.locale === 'en-US' ? 'Was' : '이전' })).toBeVisible();
      await expect.poll(async () => (await urpRows(page)).some((r) => r.now > r.was)).toBe(true);
      const after = await metrics(page);
      expect(
        after.rows.some((r: any) => r.name === 'UnderReplicatedPartitions' && r.value > 0),
      ).toBe(true);
      // The killed broker's process has no rows any more.
      expect(after.rows.some((r: any) => r.node.kind === 'broker' && r.node.broker === 1)).toBe(false);
      expect(problems).toEqual([]);
    });
  });
}
