/**
 * One Chromium (Debian's, never a downloaded build) per browser test file,
 * with the checks every page must pass: no console error, no serious or
 * critical axe-core violation, and a screenshot at the end of the run.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startEiTestApp, type EiTestApp } from '../support/test-app.ts';

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
  /**
   * Opens a page on another loopback port (another site) that posts `fields`
   * to `url` as soon as it loads, as an attacker's page would, and resolves
   * to the HTTP status the post got. The browser's report of that refused
   * load is expected and left out of `errors`.
   */
  postFromAnotherSite(url: string, fields: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

/** The app under test (with an admin token) and the browser driving it, ready once the suite's tests run. */
export interface ChromiumRig {
  readonly t: EiTestApp;
  readonly b: BrowserSession;
}

/**
 * A suite against the test app (admin token `token`, EI simulator) in one
 * Chromium, both started before its tests and closed after; skipped where
 * there is no Chromium.
 */
export function describeInChromium(
  name: string,
  token: string,
  body: (rig: ChromiumRig) => void,
): void {
  void describe(name, { skip: !hasChromium && 'no /usr/bin/chromium' }, () => {
    const rig = {} as { t: EiTestApp; b: BrowserSession };
    before(async () => {
      rig.t = await startEiTestApp({ adminToken: token });
      rig.b = await openBrowser();
    });
    after(async () => {
      await rig.b?.close();
      await rig.t?.close();
    });
    body(rig);
  });
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
    async postFromAnotherSite(url, fields) {
      const inputs = Object.entries(fields)
        .map(([name, value]) => `<input name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
        .join('');
      const forger = createServer((_req, res) => {
        res.setHeader('content-type', 'text/html');
        res.end(
          `<!doctype html><form id="f" method="post" action="${escapeHtml(url)}">${inputs}</form>` +
            `<script>document.getElementById('f').submit()</script>`,
        );
      });
      await new Promise<void>((r) => forger.listen(0, '127.0.0.1', r));
      try {
        const errorsBefore = errors.length;
        const answer = page.waitForResponse((r) => r.url() === url);
        await page.goto(`http://127.0.0.1:${(forger.address() as AddressInfo).port}/`);
        const status = (await answer).status();
        errors.splice(errorsBefore);
        return status;
      } finally {
        forger.close();
      }
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

interface AxeResults {
  violations: { id: string; impact?: string; nodes: { target: string[] }[] }[];
}
