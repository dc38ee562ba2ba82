/**
 * One Chromium (Debian's, never a downloaded build) per browser test file,
 * with the checks every page must pass: no console error, no serious or
 * critical axe-core violation, and a screenshot at the end of the run.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface BrowserSession {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors and page errors seen so far. */
  readonly errors: string[];
  /** Where this run's screenshots go (`SCREENSHOT_DIR`, else a temp dir). */
  readonly screenshotDir: string;
  /** Runs axe-core on the page and fails on a serious or critical violation; then takes a screenshot. */
  checkPage(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'tidbok-chromium-'));
  const screenshotDir =
    process.env['SCREENSHOT_DIR'] ?? mkdtempSync(join(tmpdir(), 'tidbok-shots-'));
  mkdirSync(screenshotDir, { recursive: true });
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    // axe-core is injected as an inline script, which the pages' CSP rightly forbids.
    bypassCSP: true,
    viewport: { width: 1100, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
  return {
    page,
    context,
    errors,
    screenshotDir,
    async checkPage(name) {
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(): Promise<AxeResults> } }).axe;
        const results = await axe.run();
        return results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map(
            (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
          );
      });
      assert.deepEqual(violations, [], `axe-core on ${name}`);
      await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

interface AxeResults {
  violations: { id: string; impact?: string; nodes: { target: string[] }[] }[];
}
