import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Debian's chromium (`.ci/run` installs it when it is missing); OMNIGATE_CHROMIUM overrides. */
export const CHROMIUM = process.env.OMNIGATE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Where the screenshots go: dist/console-screenshots (ignored by git) unless
 * OMNIGATE_CONSOLE_SCREENSHOTS names another folder (`npm run screenshots`: docs/console).
 */
export const SCREENSHOTS = resolve(
  ROOT,
  process.env.OMNIGATE_CONSOLE_SCREENSHOTS ?? 'dist/console-screenshots',
);

export interface Chromium {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Starts chromium headless (Playwright gives it a fresh temporary profile, removed on close).
 * A chromium that cannot start fails every test that needs it, never skips one: a console
 * nobody could load is not a tested console.
 */
export async function startChromium(): Promise<Chromium> {
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (error) {
    throw new Error(
      `chromium did not start from ${CHROMIUM} (apt-get install chromium fonts-noto-cjk; ` +
        `.ci/run does it): ${(error as Error).message}`,
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return { browser, close: () => browser.close() };
}

/** An answer the test expects to be an error (the session check before logging in). */
export interface Expected {
  method: string;
  path: string;
  status: number;
}

/**
 * Everything that would mean the console is broken, gathered from every page of a context:
 * a console error (a CSP violation is one: the init script reports each), an uncaught
 * exception, a request that failed, an answer of 400 or more the test did not expect.
 */
export class ProblemWatch {
  readonly problems: string[] = [];
  #expected: Expected[] = [];

  expect(...answers: Expected[]): void {
    this.#expected.push(...answers);
  }

  async attach(context: BrowserContext): Promise<void> {
    // Runs in every page before its own scripts (through the DevTools protocol, not the page).
    await context.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
      console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
        ' at ' + e.sourceFile + ':' + e.lineNumber);
    });`);
    context.on('page', (page) => this.#watch(page));
    for (const page of context.pages()) this.#watch(page);
  }

  #watch(page: Page): void {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // Chrome's line for an error answer: the response handler below judges those.
      if (/^Failed to load resource: the server responded with a status of/.test(message.text())) {
        return;
      }
      this.problems.push(`console error: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => {
      // A download's navigation is "aborted" by design once the file is taken.
      const failure = request.failure()?.errorText ?? '';
      if (failure === 'net::ERR_ABORTED' && request.url().includes('.csv')) return;
      this.problems.push(`request failed: ${request.method()} ${request.url()} ${failure}`);
    });
    page.on('response', (response) => {
      if (response.status() < 400) return;
      const url = new URL(response.url());
      const method = response.request().method();
      const index = this.#expected.findIndex(
        (e) => e.method === method && e.path === url.pathname && e.status === response.status(),
      );
      if (index >= 0) {
        this.#expected.splice(index, 1);
        return;
      }
      this.problems.push(`HTTP ${response.status()}: ${method} ${url.pathname}${url.search}`);
    });
  }

  /** The problems so far, and forgets them. */
  take(): string[] {
    return this.problems.splice(0);
  }
}
