import { test, expect } from '@playwright/test';
import { collectProblems, open, runUntilMs, snapshot } from './helpers';

// Consumer groups (issue 5), against the built page: members join, leave, crash and slow down
// from the page's controls; the coordinator rebalances as Kafka's classic protocol does.

test.use({ locale: 'en-US' });

/** Partition -> owners in a group, from the snapshot's member details. */
function owners(s: any, groupId: string): Map<number, number> {
  const g = s.groups.find((x: any) => x.group_id === groupId);
  const m = new Map<number, number>();
  for (const d of g.member_details) {
    for (const [, p] of d.assignment) m.set(p, (m.get(p) ?? 0) + 1);
  }
  return m;
}

test('add, close and crash consumers; add a group; every partition keeps one owner', async ({ page }) => {
  const problems = collectProblems(page);
  await open(page);
  await runUntilMs(page, 2000);
  let s = await snapshot(page);
  expect(s.groups[0].generation).toBe(1);
  expect(s.consumers).toHaveLength(2);

  await page.locator('#add-consumer').click();
  await expect(page.locator('#message')).toContainText('consumer added to group #0');
  await runUntilMs(page, 8000);
  s = await snapshot(page);
  expect(s.consumers).toHaveLength(3);
  expect(s.groups[0].generation).toBeGreaterThan(1);
  expect(s.groups[0].state).toBe('Stable');
  let o = owners(s, 'g1');
  expect([...o.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  expect([...o.values()].every((n) => n === 1)).toBe(true);
  const members = s.groups[0].member_details.length;
  expect(members).toBe(3);

  // Close sends LeaveGroup: a rebalance at once.
  const gen = s.groups[0].generation;
  await page.locator('#consumer-index').fill('2');
  await page.locator('#remove-consumer').click();
  await runUntilMs(page, 10000);
  s = await snapshot(page);
  expect(s.groups[0].generation).toBeGreaterThan(gen);
  expect(s.groups[0].member_details).toHaveLength(2);

  // Crash is silent: the member stays until session.timeout.ms (45 s) runs out.
  await page.locator('#consumer-index').fill('1');
  await page.locator('#crash-consumer').click();
  await runUntilMs(page, 30000);
  expect((await snapshot(page)).groups[0].member_details).toHaveLength(2);
  await runUntilMs(page, 70000);
  s = await snapshot(page);
  expect(s.groups[0].member_details).toHaveLength(1);
  o = owners(s, 'g1');
  expect([...o.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);

  // A second group reads the same topic with its own offsets.
  await page.locator('#add-group').click();
  await runUntilMs(page, 80000);
  s = await snapshot(page);
  expect(s.groups.map((g: any) => g.group_id)).toEqual(['g1', 'g2']);
  expect(s.groups[1].state).toBe('Stable');

  // Refusals name the problem and change nothing.
  await page.locator('#consumer-index').fill('99');
  await page.locator('#crash-consumer').click();
  await expect(page.locator('#message')).toContainText('consumer');
  await expect(page.locator('#message')).toHaveClass(/error/);
  await page.screenshot({ path: 'test-results/groups.png', fullPage: true });
  expect(problems).toEqual([]);
});
