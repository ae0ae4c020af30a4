import { defineConfig } from 'vitest/config';

// `npm run test:browser`: pages driven by Debian's headless Chromium (puppeteer-core); kept out of `npm test`.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
