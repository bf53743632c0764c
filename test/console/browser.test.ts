import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserService } from '../../src/admin/users.js';
import {
  TYPE,
  api,
  issueToken,
  newBarcode,
  payRequest,
  startStoreScenario,
  tradeNo,
  type StoreScenario,
} from '../gateway/helpers.js';
import { type Chromium, ProblemWatch, SCREENSHOTS, startChromium } from './browser.js';

const PASSWORD = 'console test password';
const DESKTOP = { width: 1280, height: 800 };
const TABLET = { width: 820, height: 1180 };
/** The browser's own zone is not Taiwan's: the console must show Taiwan time anyway. */
const BROWSER_ZONE = 'America/New_York';

/** What the browser measures of the console's first load (performance timing). */
interface FirstLoad {
  login_form_shown_ms: number;
  dom_content_loaded_ms: number;
  load_ms: number;
  requests: number;
  transferred_bytes: number;
}

/** `2026/12/01 09:05:03`: Taiwan time, computed apart from the console's own code. */
const taiwanTime = (ms: number): string =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Taipei',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  })
    .format(ms)
    .replace(/-/g, '/');

/**
 * The console in Debian's chromium against a real gateway, sandbox and SQLite database:
 * each role logs in and walks its pages, a filter, the CSV export, a client created and
 * revoked, a partial refund confirmed in a dialog. Every test fails on a console error, an
 * uncaught exception, a failed request, an unexpected error answer or a CSP violation.
 */
describe('the console in chromium', { timeout: 60_000 }, () => {
  let s: StoreScenario;
  let chromium: Chromium | undefined;
  /** Why chromium did not start: each test fails with it (none is skipped). */
  let chromiumError: unknown;
  const watch = new ProblemWatch();
  const contexts: BrowserContext[] = [];
  const paid: Record<'big' | 'small' | 'mid', { id: string; tradeNo: string }> = {} as never;
  let declinedTradeNo: string;
  let otherCompany: string;
  let endpointId: string;

  beforeAll(async () => {
    chromium = await startChromium().catch((error: unknown) => {
      chromiumError = error;
      return undefined;
    });
    s = await startStoreScenario({ OMNIGATE_RECONCILE_SCHEDULE: '10m' });
    const store = s.t.gateway.services.store;
    const users = new UserService(store, { actor: 'system' });
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      await users.create({
        email: `${role}@shop.example`,
        role,
        companyId: s.company.companyId,
        password: PASSWORD,
      });
    }
    await users.create({
      email: 'root@platform.example',
      role: 'admin',
      companyId: null,
      password: PASSWORD,
    });
    otherCompany = await s.t.gateway.services.provisioning.createCompany('另一家公司');
    // Every outcome below is also a webhook event to the sandbox's receiver.
    endpointId = (
      await store.webhooks.createEndpoint(
        s.company.companyId,
        `${s.sandbox.url}/sandbox/webhooks`,
        null,
      )
    ).endpointId;
    const pay = async (amount: number, balance = 10_000) => {
      const no = tradeNo('CON');
      const res = await api(s.t.url, 'POST', '/v1/payment/integrate/pay', {
        token: s.company.token,
        body: {
          type: TYPE,
          store_id: 'S1',
          request: payRequest(await newBarcode(s.sandbox, balance), no, amount),
        },
      });
      expect(res.status).toBe(200);
      return { id: res.headers.get('x-request-id')!, tradeNo: no };
    };
    paid.mid = await pay(250);
    paid.small = await pay(100);
    declinedTradeNo = (await pay(500, 50)).tradeNo;
    paid.big = await pay(1234);
    const declined = (await store.ledger.findByTradeNo(s.company.companyId, declinedTradeNo))[0];
    expect(declined?.state).toBe('declined');
  });

  afterEach(() => {
    expect(watch.take()).toEqual([]);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await chromium?.close();
    await s?.t.close();
    await s?.sandbox.close();
  });

  async function newPage(viewport = DESKTOP): Promise<Page> {
    if (!chromium) throw chromiumError;
    const context = await chromium.browser.newContext({
      viewport,
      locale: 'zh-TW',
      timezoneId: BROWSER_ZONE,
      acceptDownloads: true,
    });
    contexts.push(context);
    await watch.attach(context);
    return context.newPage();
  }

  /** A fresh browser profile at the login page; logged in as `role` when given. */
  async function loggedIn(
    role: 'admin' | 'operator' | 'viewer' | 'root',
    viewport = DESKTOP,
  ): Promise<Page> {
    const page = await newPage(viewport);
    // Before logging in, the console asks for the session it does not have yet.
    watch.expect({ method: 'GET', path: '/admin/v1/session', status: 401 });
    await page.goto(`${s.t.url}/console/`);
    await page.fill(
      '#login-email',
      role === 'root' ? 'root@platform.example' : `${role}@shop.example`,
    );
    await page.fill('#login-password', PASSWORD);
    await page.press('#login-password', 'Enter');
    await page.waitForSelector('nav.side');
    await loaded(page);
    return page;
  }

  /**
   * The page shown has its data: its "loading" line is gone and no error box is shown. (A
   * page newly shown renders its loading line at once, so this follows a navigation safely.)
   */
  async function loaded(page: Page): Promise<void> {
    await page.locator('main p[role=status].muted').waitFor({ state: 'detached' });
    expect(await page.locator('.notice.error').allTextContents()).toEqual([]);
  }

  /** Follows a menu entry: the entry marked current, then the page loaded. */
  async function visit(page: Page, nav: string): Promise<void> {
    await page.click(`[data-nav=${nav}]`);
    await page.locator(`[data-nav=${nav}][aria-current=page]`).waitFor();
    await loaded(page);
  }

  /** Opens a page of the console by its address (a transaction's detail, say). */
  async function open(page: Page, hash: string, heading: string): Promise<void> {
    await page.goto(`${s.t.url}/console/${hash}`);
    await page.locator('h1', { hasText: heading }).waitFor();
    await loaded(page);
  }

  /** Submits the transaction filters and waits for the list they ask for. */
  async function filter(page: Page, expectedRows: number): Promise<void> {
    const before = page.url();
    await page.click('.filters button[type=submit]');
    await expect.poll(() => page.url()).not.toBe(before);
    await loaded(page);
    await expect.poll(() => page.locator('tbody tr').count()).toBe(expectedRows);
  }

  const focused = (page: Page) => page.evaluate<string>('document.activeElement.tagName');

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  /** Nothing is wider than the window: no sideways scrolling of the page. */
  const fitsWidth = (page: Page) =>
    page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

  const rowOf = (page: Page, requestId: string) =>
    page.locator(`tr[data-request-id="${requestId}"]`);

  it('the login page loads under the CSP with no error; its first load is measured', async () => {
    const page = await newPage();
    watch.expect({ method: 'GET', path: '/admin/v1/session', status: 401 });
    await page.goto(`${s.t.url}/console/`);
    await page.waitForSelector('#login-email');
    const timing = await page.evaluate<FirstLoad>(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const resources = performance.getEntriesByType('resource');
      return {
        login_form_shown_ms: Math.round(performance.now()),
        dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd),
        load_ms: Math.round(nav.loadEventEnd),
        requests: resources.length + 1,
        transferred_bytes: nav.transferSize + resources.reduce((n, r) => n + r.transferSize, 0),
      };
    })()`);
    // A measurement for the report (docs/console.md), not an assertion on time.
    writeFileSync(join(SCREENSHOTS, 'first-load.json'), `${JSON.stringify(timing, null, 2)}\n`);
    process.stdout.write(`console first load (cold cache, loopback): ${JSON.stringify(timing)}\n`);
    expect(timing.transferred_bytes).toBeGreaterThan(0);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-Hant-TW');
    expect(await page.textContent('h1')).toBe('登入 omnigate 控制台');
    await shot(page, 'login');

    // A wrong password: a message, no session.
    watch.expect({ method: 'POST', path: '/admin/v1/session', status: 401 });
    await page.fill('#login-email', 'admin@shop.example');
    await page.fill('#login-password', 'not the password');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('[role=alert]')).toBe('電子郵件或密碼錯誤。');
  });

  it('an admin logs in with the keyboard and walks every page (zh-TW, 1280×800)', async () => {
    const page = await newPage();
    watch.expect({ method: 'GET', path: '/admin/v1/session', status: 401 });
    await page.goto(`${s.t.url}/console/`);
    await page.waitForSelector('#login-email:focus');
    await page.keyboard.type('admin@shop.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector('nav.side');
    await loaded(page);

    // The skip link is the first stop of the keyboard and takes it to the page's heading.
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.className')).toBe('skip');
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('H1');

    // Overview: the figures and three charts (uPlot canvases).
    expect(await page.textContent('h1')).toBe('總覽');
    expect(await page.textContent('[data-figure=count]')).toBe('4');
    expect(await page.textContent('[data-figure=paid]')).toBe('NT$1,584');
    expect(await page.textContent('[data-figure=rate]')).toBe('75%');
    // The period's latency percentiles, from the stats' total (every call of the 7 days).
    expect((await page.textContent('[data-figure=latency]'))!.trim()).toMatch(
      /^[\d.,]+ ms \/ [\d.,]+ ms$/,
    );
    expect(await page.locator('.chart canvas').count()).toBe(3);
    await shot(page, 'overview');

    const pages: [nav: string, heading: string, shotName: string][] = [
      ['transactions', '交易', 'transactions'],
      ['stores', '門市與支付設定', 'stores'],
      ['clients', 'API 用戶端', 'clients'],
      ['credentials', '金鑰憑證', 'credentials'],
      ['webhooks', 'Webhook', 'webhooks'],
      ['audit', '稽核紀錄', 'audit'],
      ['users', '使用者', 'users'],
    ];
    for (const [nav, heading, name] of pages) {
      await visit(page, nav);
      expect(await page.textContent('h1'), nav).toBe(heading);
      expect(await page.getAttribute(`[data-nav=${nav}]`, 'aria-current'), nav).toBe('page');
      // After a navigation the focus is on the new page's heading.
      await expect.poll(() => focused(page), { message: nav }).toBe('H1');
      expect(await fitsWidth(page), nav).toBe(true);
      await shot(page, name);
    }

    // Stores: S1 and its account fields; credentials: metadata, never a key.
    await visit(page, 'stores');
    expect(await page.locator('table.data tbody th').first().textContent()).toBe('S1');
    await visit(page, 'credentials');
    expect(await page.locator('table.data tbody tr').count()).toBe(1);
    const html = await page.content();
    expect(html).toContain(s.merchant.PlatformID);
    for (const secret of [s.merchant.AESKey, s.merchant.AESIV, s.merchant.ClientPrivateKey]) {
      expect(html).not.toContain(secret);
    }
    expect(html).not.toContain('PRIVATE KEY');

    // Webhooks: the endpoint, its deliveries (one per payment outcome), a test event.
    await visit(page, 'webhooks');
    await page.click(`a[href="#/webhooks/${endpointId}"] >> nth=0`);
    await page.locator('h1', { hasText: endpointId }).waitFor();
    await loaded(page);
    await expect.poll(async () => page.locator('table.data tbody tr').count()).toBeGreaterThan(0);
    await shot(page, 'webhook-deliveries');
    await visit(page, 'webhooks');
    await page.click('button:has-text("送出測試事件")');
    await page.click('dialog[open] [data-confirm]');
    await page.waitForSelector('.notice.ok');
    expect(await page.textContent('.notice.ok')).toMatch(/^已排入測試事件 /);

    // Users: the three of them.
    await visit(page, 'users');
    expect(await page.locator('table.data tbody tr').count()).toBe(3);
  });

  it('transactions: NT$ and Taiwan time, a filter, pages linked, the CSV export of the same rows', async () => {
    const page = await loggedIn('viewer');
    await visit(page, 'transactions');
    const row = rowOf(page, paid.big.id);
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('td.num').first().textContent()).toBe('NT$1,234');
    const created = (await s.t.gateway.services.store.ledger.find(paid.big.id))!.createdAt;
    expect(await row.locator('time').textContent()).toBe(taiwanTime(created));
    expect(await page.locator('tbody tr').count()).toBe(4);

    // Filter: declined calls only.
    await page.selectOption('#f-state', 'declined');
    await filter(page, 1);
    expect(page.url()).toContain('#/transactions?state=declined');
    expect(await page.locator('tbody tr a').textContent()).toBe(declinedTradeNo);
    expect(await page.locator('tbody .badge').textContent()).toBe('拒絕');
    await shot(page, 'transactions-filtered');

    // The export carries the same filter: a CSV of that one row (BOM, CRLF).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-export]'),
    ]);
    expect(download.suggestedFilename()).toBe('transactions.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.startsWith('\uFEFFrequest_id,')).toBe(true);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(declinedTradeNo);

    // A search that matches nothing: an empty state, not an empty table.
    await page.fill('#f-q', 'NO-SUCH-ORDER');
    await filter(page, 0);
    expect(await page.textContent('main .empty')).toBe('沒有符合條件的交易。');
    await page.click('.filters a:has-text("清除")');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(4);
  });

  it('an admin creates a client, sees its secret once (it works), and revokes it (it stops)', async () => {
    const page = await loggedIn('admin');
    await visit(page, 'clients');
    const before = await page.locator('tbody tr').count();
    await page.fill('#client-name', 'console test POS');
    await page.click('[data-action=create-client]');
    await page.waitForSelector('dialog[open] [data-secret]');
    await shot(page, 'client-secret');
    const [clientId, secret] = await page.locator('dialog[open] [data-secret]').allTextContents();
    expect(clientId).toMatch(/^ogc_/);
    expect(secret).toMatch(/^ogs_/);
    // The secret shown is the client's: it obtains a token.
    expect(await issueToken(s.t.url, clientId!, secret!)).toBeTruthy();

    await page.click('dialog[open] button.primary');
    await page.waitForSelector('dialog[open]', { state: 'detached' });
    await expect.poll(() => page.locator('tbody tr').count()).toBe(before + 1);
    // Once closed, the secret is nowhere in the page.
    expect(await page.content()).not.toContain(secret);

    // Revoke, confirmed in a dialog.
    const row = page.locator(`tr[data-client-id="${clientId}"]`);
    await row.locator('[data-action=revoke]').click();
    expect(await page.textContent('dialog[open] h2')).toBe(`撤銷用戶端 ${clientId}？`);
    await page.click('dialog[open] [data-confirm]');
    await expect.poll(() => row.locator('.badge').textContent()).toBe('已撤銷');
    await expect(issueToken(s.t.url, clientId!, secret!)).rejects.toThrow(/HTTP 401/);
  });

  it('an operator refunds part of a payment from its detail page, after confirming, and sees the refund row', async () => {
    const page = await loggedIn('operator');
    const moneyCalls: Request[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/refund')) moneyCalls.push(r);
    });
    await visit(page, 'transactions');
    await page.fill('#f-q', paid.big.tradeNo);
    await filter(page, 1);
    await page.click(`a:has-text("${paid.big.tradeNo}")`);
    await page.locator('h1', { hasText: `交易明細 · ${paid.big.tradeNo}` }).waitFor();
    await loaded(page);
    expect(await page.inputValue('#refund-amount')).toBe('1234');

    // An amount above what is left is refused in the page; nothing is sent.
    await page.fill('#refund-amount', '5000');
    await page.click('[data-action=refund]');
    expect(await page.textContent('#refund-error')).toBe('請輸入 1 到 1234 之間的整數金額。');

    // The dialog's "cancel" sends nothing either.
    await page.fill('#refund-amount', '234');
    await page.click('[data-action=refund]');
    expect(await page.textContent('dialog[open] h2')).toBe('確定退款 NT$234？');
    await shot(page, 'refund-confirm');
    await page.click('dialog[open] button.secondary');
    await page.waitForSelector('dialog[open]', { state: 'detached' });
    expect(moneyCalls).toHaveLength(0);

    await page.click('[data-action=refund]');
    await page.click('dialog[open] [data-confirm]');
    await page.waitForSelector('[data-outcome]');
    expect(await page.textContent('[data-outcome]')).toMatch(/^\s*退款：成功/);
    expect(moneyCalls).toHaveLength(1);
    const headers = await moneyCalls[0]!.allHeaders();
    expect(headers['x-csrf-token']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(headers['idempotency-key']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(moneyCalls[0]!.postDataJSON()).toEqual({ amount: 234 });

    // The detail now shows the refund in its timeline and what is left.
    await expect
      .poll(() => page.locator('ol.timeline').textContent())
      .toContain('退款 NT$234：成功');
    await expect.poll(() => page.inputValue('#refund-amount')).toBe('1000');
    await shot(page, 'transaction-detail');

    // ...and the list its row: the newest call, a refund of NT$234.
    const refundId = /#\/transactions\/([0-9a-f-]{36})/.exec(
      (await page.getAttribute('[data-outcome] a', 'href'))!,
    )![1]!;
    await visit(page, 'transactions');
    await page.click('.filters a:has-text("清除")');
    const first = page.locator('tbody tr').first();
    await expect.poll(() => first.getAttribute('data-request-id')).toBe(refundId);
    expect(await first.locator('td').nth(2).textContent()).toBe('退款');
    expect(await first.locator('td.num').first().textContent()).toBe('NT$234');
    expect(await first.locator('.badge').textContent()).toBe('成功');
    const ledger = (await s.t.gateway.services.store.ledger.find(refundId))!;
    expect(ledger).toMatchObject({ operation: 'refund', amount: 234, state: 'succeeded' });

    // An operator manages no clients: no create form, no revoke.
    await visit(page, 'clients');
    expect(await page.locator('[data-action=create-client], [data-action=revoke]').count()).toBe(0);
  });

  it('a viewer sees every page it may, no action, and no users page', async () => {
    const page = await loggedIn('viewer');
    const navs = await page
      .locator('nav.side a')
      .evaluateAll((links) => links.map((a) => a.getAttribute('data-nav')));
    expect(navs).toEqual([
      'overview',
      'transactions',
      'stores',
      'clients',
      'credentials',
      'webhooks',
      'audit',
    ]);
    for (const nav of navs) await visit(page, nav!);
    await open(page, `#/transactions/${paid.small.id}`, '交易明細');
    expect(await page.locator('[data-action]').count()).toBe(0);
    expect(await page.locator('#actions-title').count()).toBe(0);
    await page.goto(`${s.t.url}/console/#/users`);
    await page.locator('h1', { hasText: '找不到這個頁面。' }).waitFor();
    await visit(page, 'webhooks');
    expect(await page.locator('main button').count()).toBe(0);
  });

  it('a platform admin chooses the company it looks at; each company sees only its own rows', async () => {
    const page = await loggedIn('root');
    await visit(page, 'transactions');
    // Every company: the test company's rows (the other has none).
    await expect.poll(() => rowOf(page, paid.big.id).count()).toBe(1);
    const options = await page.locator('.company-pick option').allTextContents();
    expect(options[0]).toBe('全部公司');
    expect(options.slice(1).sort()).toEqual(['test company', '另一家公司']);
    await page.selectOption('.company-pick select', otherCompany);
    await loaded(page);
    await expect
      .poll(() => page.textContent('main .empty'))
      .toBe('還沒有任何交易。用 Integrate API 付一筆，交易會出現在這裡。');
    await visit(page, 'stores');
    // The platform admin's companies panel, and the other company has no store yet.
    expect(await page.textContent('main .empty')).toBe('還沒有門市。');
    await shot(page, 'platform-stores');
    await page.selectOption('.company-pick select', s.company.companyId);
    await loaded(page);
    await visit(page, 'transactions');
    await expect.poll(() => rowOf(page, paid.big.id).count()).toBe(1);
  });

  it('English: the switch translates the console and is remembered after a reload', async () => {
    const page = await loggedIn('admin');
    await page.click('[data-lang]');
    await page.locator('h1', { hasText: 'Overview' }).waitFor();
    await loaded(page);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('[data-nav=transactions]')).toBe('Transactions');
    await page.reload();
    await page.locator('h1', { hasText: 'Overview' }).waitFor();
    await loaded(page);
    await visit(page, 'transactions');
    expect(await page.textContent('h1')).toBe('Transactions');
    // Amounts and times do not change with the language.
    expect(await rowOf(page, paid.big.id).locator('td.num').first().textContent()).toBe('NT$1,234');
    await shot(page, 'transactions-en');
    await page.click('[data-lang]');
    await page.locator('h1', { hasText: '交易' }).waitFor();
  });

  it('a tablet held upright (820×1180): the menu folds above the page, nothing overflows', async () => {
    const page = await loggedIn('operator', TABLET);
    const menu = await page.locator('nav.side').boundingBox();
    const main = await page.locator('main').boundingBox();
    expect(menu!.y + menu!.height).toBeLessThanOrEqual(main!.y + 1);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'tablet-overview');
    await visit(page, 'transactions');
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'tablet-transactions');
    await open(page, `#/transactions/${paid.big.id}`, '交易明細');
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'tablet-detail');
  });

  it('the watch itself sees a CSP violation and a console error (so a clean run means something)', async () => {
    const page = await loggedIn('viewer');
    await page.evaluate(`(() => {
      const div = document.createElement('div');
      div.setAttribute('style', 'color: red');
      document.body.append(div);
      console.error('a console error');
    })()`);
    await expect
      .poll(() => watch.problems.some((p) => p.includes('CSP violation: style-src-attr')))
      .toBe(true);
    const seen = watch.take();
    expect(seen).toContain('console error: a console error ()');
    // Chrome's own report of the blocked style, and the page's securitypolicyviolation event.
    expect(seen.filter((p) => /inline style|style-src/.test(p))).toHaveLength(2);
  });
});
