import { defineConfig } from '@playwright/test';

// scripts/test.sh builds the app (trunk build --release --offline), serves dist/ on a free
// loopback port and passes its address here. By hand: start ./scripts/serve.sh, then
// `cd tests/e2e && npx playwright test` (defaults to the address serve.sh prints).
const baseURL = process.env.STREAMSCOPE_BASE_URL ?? 'http://127.0.0.1:8080/';

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  outputDir: 'test-results',
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium: never `npx playwright install` (no downloads on these machines).
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
