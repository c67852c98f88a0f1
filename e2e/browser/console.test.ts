/**
 * The admin console in Debian's Chromium (playwright-core, never a downloaded browser) against a real BaluHost:
 * log in, upload and preview files, create a user and log in as them, filter the audit log, fail a simulated
 * RAID member and watch the array degrade, then rebuild onto a spare as the hardware's clock moves, run a scheduler
 * job and see its history, check that the Energy page shows what GET /api/energy answers, check the
 * services and probe a driver, edit notification channels, create and delete a RAID array, turn on two-factor
 * login and log in with a code and with a recovery code (once) until an admin resets it, and a screenshot of
 * every page in light and dark theme at 1280 and 360 px wide, into
 * e2e/results/screenshots/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@baluhost/drivers';
import {
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
  type Response,
  chromium,
} from 'playwright-core';
import { base32Decode, totpCode } from '../../server/src/auth/totp.js';
import { ADMIN_PASSWORD, type TestServer, bearer, startTestServer } from '../../server/test/helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSOLE_INDEX = path.join(ROOT, 'admin-ui/dist/admin-ui/browser/index.html');
const SCREENSHOTS = path.join(ROOT, 'e2e/results/screenshots');
const CHROMIUM = process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const WIDTHS = [
  { name: 'wide', width: 1280, height: 800 },
  { name: 'narrow', width: 360, height: 740 },
] as const;
const THEMES = ['light', 'dark'] as const;

// The few browser globals that the functions run in the page use (this program has no DOM typings; strings
// would be eval'd, which the console's CSP forbids).
declare const document: {
  readonly activeElement: { closest(selector: string): unknown } | null;
  querySelector(selector: string): {
    readonly complete: boolean;
    readonly naturalWidth: number;
    getAttribute(name: string): string | null;
  } | null;
};
declare const localStorage: { setItem(key: string, value: string): void };

/** What GET /api/energy answers (the fields this suite compares). */
interface EnergyReading {
  readonly powerWatts: number | null;
  readonly todayKwh: number | null;
  readonly monthKwh: number | null;
  readonly costToday: number | null;
  readonly costMonth: number | null;
  readonly pricePerKwh: number;
}

const USER = 'carol';
const USER_PASSWORD = 'carol-pass-123';

/** The console is served from admin-ui's build output: build it when it is missing. */
function ensureConsoleBuilt(): void {
  if (existsSync(CONSOLE_INDEX)) return;
  const r = spawnSync('npm', ['run', 'build', '--workspace', 'admin-ui'], {
    cwd: ROOT,
    stdio: 'inherit',
    timeout: 600_000,
  });
  assert.equal(r.status, 0, 'npm run build --workspace admin-ui failed');
  assert.ok(existsSync(CONSOLE_INDEX), `${CONSOLE_INDEX} is still missing after the build`);
}

async function logIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
}

/** Opens a route by a full page load (the refresh token in sessionStorage keeps the login) and waits for it. */
async function open(page: Page, url: string, route: string, heading: string): Promise<void> {
  await page.goto(`${url}${route}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.waitForLoadState('networkidle');
}

/** The open dialog, once Material has moved focus into it (typing before that can land in another field). */
async function dialogReady(page: Page): Promise<Locator> {
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await page.waitForFunction(() => document.activeElement?.closest('mat-dialog-container') != null);
  return dialog;
}

async function screenshot(page: Page, name: string): Promise<void> {
  // Let Material's ripples and the progress bars settle.
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('admin console in Chromium', { timeout: 600_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  /** The simulated hardware's clock: a RAID rebuild advances only when the test moves it. */
  const clock = new ManualClock(Date.now());

  before(
    async () => {
      ensureConsoleBuilt();
      await mkdir(SCREENSHOTS, { recursive: true });
      ts = await startTestServer({}, undefined, { hardware: { clock } });
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
      admin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      page = await admin.newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(msg.text());
      });
    },
    { timeout: 660_000 },
  );

  afterEach(async (t) => {
    // What the page looked like when a scenario failed.
    if ('passed' in t && !t.passed) {
      await page.screenshot({ path: path.join(SCREENSHOTS, `failed-${t.name.replace(/\W+/g, '-')}.png`) });
    }
  });

  after(async () => {
    await browser.close();
    await ts.close();
  });

  it('logs in as the admin and lands on the dashboard', async () => {
    await logIn(page, ts.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Storage' }).waitFor();
    assert.match(await page.locator('bh-quota-bar').innerText(), /used/);
  });

  it('uploads a file with the file picker and lists it', async () => {
    await open(page, ts.url, '/files', 'Files');
    const crumbs = page.getByRole('navigation', { name: 'Folder path' });
    assert.equal(await crumbs.locator('[aria-current="location"]').innerText(), 'home');
    await page.getByLabel('Choose files to upload').setInputFiles([
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Hello from the browser suite.\n') },
      { name: 'report.pdf', mimeType: 'application/pdf', buffer: minimalPdf() },
    ]);
    const table = page.getByRole('table', { name: 'Files' });
    await table.getByRole('button', { name: 'notes.txt', exact: true }).waitFor();
    await table.getByRole('button', { name: 'report.pdf', exact: true }).waitFor();
    const uploads = page.getByRole('region', { name: 'Uploads' });
    await uploads.getByText('Uploaded').first().waitFor();
    // The server has it, byte for byte.
    const token = await ts.adminToken();
    const res = await ts
      .http()
      .get('/api/files/content?path=/home/notes.txt')
      .set(...bearer(token));
    assert.equal(res.status, 200);
    assert.equal(res.text, 'Hello from the browser suite.\n');
  });

  it('shows the server message when an upload would replace a file, and replaces it on request', async () => {
    await page
      .getByLabel('Choose files to upload')
      .setInputFiles([
        { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Second version.\n') },
      ]);
    const uploads = page.getByRole('region', { name: 'Uploads' });
    await uploads.getByText('The file already exists').waitFor();
    await uploads.getByRole('button', { name: 'Replace' }).click();
    await uploads.getByText('Uploaded').nth(2).waitFor();
    const res = await ts
      .http()
      .get('/api/files/content?path=/home/notes.txt')
      .set(...bearer(await ts.adminToken()));
    assert.equal(res.text, 'Second version.\n');
  });

  it('previews a text file in the browser', async () => {
    await page
      .getByRole('table', { name: 'Files' })
      .getByRole('button', { name: 'notes.txt', exact: true })
      .click();
    const dialog = page.getByRole('dialog');
    assert.equal((await dialog.getByLabel('Text preview').innerText()).trim(), 'Second version.');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('creates a folder and moves a file into it', async () => {
    await page.getByRole('button', { name: 'New folder' }).click();
    let dialog = await dialogReady(page);
    await dialog.getByLabel('Folder name').fill('archive');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    const table = page.getByRole('table', { name: 'Files' });
    await table.getByRole('button', { name: 'archive', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Actions for report.pdf' }).click();
    await page.getByRole('menuitem', { name: 'Move' }).click();
    dialog = await dialogReady(page);
    await dialog.getByLabel('New path').fill('/home/archive/report.pdf');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await dialog.waitFor({ state: 'detached' });
    await table.getByRole('button', { name: 'report.pdf', exact: true }).waitFor({ state: 'detached' });
    await table.getByRole('button', { name: 'archive', exact: true }).click();
    await page.waitForURL(/path=%2Fhome%2Farchive/);
    await table.getByRole('button', { name: 'report.pdf', exact: true }).waitFor();
  });

  it('previews an image and a PDF', async () => {
    await page
      .getByLabel('Choose files to upload')
      .setInputFiles([{ name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from(PNG_BASE64, 'base64') }]);
    const table = page.getByRole('table', { name: 'Files' });
    await table.getByRole('button', { name: 'dot.png', exact: true }).click();
    const dialog = page.getByRole('dialog');
    const img = dialog.getByRole('img', { name: 'Preview of dot.png' });
    await img.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector('bh-preview-dialog img');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await table.getByRole('button', { name: 'report.pdf', exact: true }).click();
    // The console's CSP (default-src 'self', no frame-src blob:) may refuse the <iframe>: the dialog then says
    // so, and "Open in a new tab" (a top-level blob: URL, which the CSP does not govern) shows the PDF.
    await dialog.getByRole('button', { name: 'Open in a new tab' }).waitFor();
    await screenshot(page, 'preview-pdf-light-wide');
    const [tab] = await Promise.all([
      admin.waitForEvent('page'),
      dialog.getByRole('button', { name: 'Open in a new tab' }).click(),
    ]);
    await tab.waitForLoadState();
    assert.match(tab.url(), /^blob:/);
    await tab.waitForTimeout(1000);
    await tab.screenshot({ path: path.join(SCREENSHOTS, 'preview-pdf-tab.png') });
    await tab.close();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('creates a user in the console and logs in as them', async () => {
    await open(page, ts.url, '/users', 'Users');
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = await dialogReady(page);
    await dialog.getByLabel('Username').fill(USER);
    await dialog.getByLabel('Password').fill(USER_PASSWORD);
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Users' }).getByRole('cell', { name: USER, exact: true }).waitFor();

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const userPage = await context.newPage();
      await logIn(userPage, ts.url, USER, USER_PASSWORD);
      const nav = userPage.getByRole('navigation', { name: 'Main navigation' });
      await nav.getByRole('link', { name: 'Files' }).waitFor();
      assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0, 'no admin pages for a user');
      await nav.getByRole('link', { name: 'Files' }).click();
      await userPage.getByRole('heading', { level: 1, name: 'Files' }).waitFor();
      await userPage.getByText('This folder is empty.').waitFor();
    } finally {
      await context.close();
    }
  });

  it('filters the audit log by action', async () => {
    await open(page, ts.url, '/audit', 'Audit log');
    await page.getByLabel('Action', { exact: true }).fill('user.create');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const table = page.getByRole('table', { name: 'Audit entries, newest first' });
    await table.getByRole('cell', { name: USER, exact: true }).waitFor();
    // The unfiltered page can still be on screen for a moment: read the rows until the filtered answer is in.
    const rows = table.locator('tr.mat-mdc-row');
    let actions: string[] = [];
    for (let i = 0; i < 50; i++) {
      actions = await rows.locator('td.mat-column-action code').allInnerTexts();
      if (actions.length > 0 && actions.every((a) => a === 'user.create')) break;
      await page.waitForTimeout(100);
    }
    assert.ok(actions.length >= 1, 'at least the user just created');
    assert.deepEqual(new Set(actions), new Set(['user.create']));
    assert.match(page.url(), /\/audit/);
  });

  it('fails a RAID member after the confirmation, then rebuilds the degraded array onto a spare', async () => {
    await open(page, ts.url, '/raid', 'RAID');
    const md0 = page.locator('mat-card[data-array="md0"]');
    const state = md0.locator('.state');
    assert.equal(await state.innerText(), 'clean');

    await md0.getByRole('button', { name: 'Actions for /dev/sdb' }).click();
    await page.getByRole('menuitem', { name: 'Mark faulty' }).click();
    // The server answers 428 with what will happen; the console shows it and repeats with the token.
    let dialog = await dialogReady(page);
    assert.match(await dialog.innerText(), /mark \/dev\/sdb faulty in md0/);
    await screenshot(page, 'raid-confirm-light-wide');
    await dialog.getByRole('button', { name: 'Mark faulty' }).click();
    await dialog.waitFor({ state: 'detached' });
    await md0.locator('.state[data-state="degraded"]').waitFor();
    assert.match(await md0.locator('li[data-member="/dev/sdb"]').innerText(), /faulty/);

    await md0.getByRole('button', { name: 'Add spare' }).click();
    await page.getByRole('menuitem', { name: /\/dev\/sdc/ }).click();
    dialog = await dialogReady(page);
    assert.match(await dialog.innerText(), /sdc/);
    await dialog.getByRole('button', { name: 'Erase and add' }).click();
    await dialog.waitFor({ state: 'detached' });
    await md0.locator('.state[data-state="recovering"]').waitFor();
    const progress = md0.getByRole('progressbar', { name: 'Rebuilding md0' });
    await progress.waitFor();

    // The page asks again every 3 s while the array rebuilds: move the hardware's clock and watch it rise.
    clock.advance(6_000);
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[aria-label="Rebuilding md0"]')?.getAttribute('aria-valuenow') ?? 0) >
        0,
      undefined,
      { timeout: 15_000 },
    );
    await screenshot(page, 'raid-rebuilding-light-wide');
    clock.advance(60_000);
    await md0.locator('.state[data-state="clean"]').waitFor({ timeout: 15_000 });
    await progress.waitFor({ state: 'detached' });
    assert.match(await md0.locator('li[data-member="/dev/sdc"]').innerText(), /active/);
  });

  it('runs a scheduler job now and shows it in the history', async () => {
    await open(page, ts.url, '/scheduler', 'Scheduler');
    const row = page.getByRole('table', { name: 'Jobs' }).locator('tr[data-job="quota_reconcile"]');
    await row.getByRole('button', { name: 'Run now' }).click();
    const history = page.getByRole('table', { name: 'Run history' });
    const run = history.locator('tr[data-execution]').filter({ hasText: 'quota_reconcile' }).first();
    await run.waitFor();
    // It may still be running when the history reloads: refresh until it has finished. The jobs table and the
    // history are two requests, and the job can finish between them: wait for both to show it.
    const finished = async () =>
      /succeeded|failed/.test(await run.innerText()) && /succeeded|failed/.test(await row.innerText());
    for (let i = 0; i < 20 && !(await finished()); i++) {
      await page.waitForTimeout(250);
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForLoadState('networkidle');
    }
    assert.match(await run.innerText(), /manual/);
    assert.match(await run.innerText(), /succeeded/);
    assert.match(await row.innerText(), /succeeded/, 'the job shows its last result');
  });

  it('shows on the Energy page the watts, kWh and cost GET /api/energy answers', async () => {
    // Two readings six hours apart on the simulated plug's clock give it energy to count.
    const token = await ts.adminToken();
    const api = async (): Promise<EnergyReading> => {
      const res = await ts
        .http()
        .get('/api/energy')
        .set(...bearer(token));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as EnergyReading;
    };
    await api();
    clock.advance(6 * 3_600_000);
    const before = await api();
    assert.ok((before.monthKwh ?? 0) > 0.05, JSON.stringify(before));

    // What the page itself was answered, in order (it reads again every 15 s).
    const answers: EnergyReading[] = [];
    const onResponse = (res: Response): void => {
      if (new URL(res.url()).pathname === '/api/energy') {
        void res.json().then((body: unknown) => answers.push(body as EnergyReading));
      }
    };
    page.on('response', onResponse);
    try {
      await open(page, ts.url, '/energy', 'Energy');
      await page.locator('[data-figure="watts"]').waitFor();
      const number = async (selector: string): Promise<number> =>
        Number((await page.locator(selector).innerText()).replace(/[^\d.]/g, ''));
      const shown = {
        watts: await number('[data-figure="watts"] .value'),
        todayKwh: await number('[data-value="today-kwh"]'),
        costToday: await number('[data-value="today-cost"]'),
        monthKwh: await number('[data-value="month-kwh"]'),
        costMonth: await number('[data-value="month-cost"]'),
      };
      const latest = answers.at(-1);
      assert.ok(latest !== undefined, 'the page read GET /api/energy');
      // The page shows its latest answer, rounded as displayed...
      assert.equal(shown.watts, Math.round((latest.powerWatts ?? NaN) * 10) / 10);
      assert.equal(shown.todayKwh, latest.todayKwh);
      assert.equal(shown.costToday, latest.costToday);
      assert.equal(shown.monthKwh, latest.monthKwh);
      assert.equal(shown.costMonth, latest.costMonth);
      // ...and that is what the API answers anyone within one sample: the plug's clock has not moved, so the
      // energy and cost are the same; the draw follows the CPU load, within the plug's 18-65 W.
      const after = await api();
      assert.equal(shown.todayKwh, after.todayKwh);
      assert.equal(shown.monthKwh, after.monthKwh);
      assert.equal(shown.costToday, after.costToday);
      assert.equal(shown.costMonth, after.costMonth);
      assert.equal(shown.costMonth, Math.round(after.monthKwh! * after.pricePerKwh * 100) / 100);
      assert.ok(shown.watts >= 17.5 && shown.watts <= 65.5, String(shown.watts));
      await page.locator('.chart ngx-charts-line-chart').waitFor();
      await screenshot(page, 'energy-reading-light-wide');
    } finally {
      page.off('response', onResponse);
    }
  });

  it('shows every part of the server on the services page, as the API reports it, and probes a driver', async () => {
    const token = await ts.adminToken();
    const res = await ts
      .http()
      .get('/api/services')
      .set(...bearer(token));
    assert.equal(res.status, 200);
    const api = res.body as { name: string; state: string }[];
    await open(page, ts.url, '/services', 'Services');
    const cards = page.locator('mat-card[data-service]');
    await cards.first().waitFor();
    assert.deepEqual(
      await Promise.all((await cards.all()).map((c) => c.getAttribute('data-service'))),
      api.map((s) => s.name),
    );
    for (const name of ['smb', 'database', 'hardware.raid']) {
      const expected = api.find((s) => s.name === name)?.state;
      assert.ok(expected, `${name} is in the API's answer`);
      const shown = page.locator(`mat-card[data-service="${name}"] .state`);
      assert.equal(await shown.getAttribute('data-state'), expected, name);
    }
    const raid = page.locator('mat-card[data-service="hardware.raid"]');
    assert.match(await raid.innerText(), /simulated/);
    await raid.getByRole('button', { name: 'Probe the raid driver now' }).click();
    await page.getByText('The raid driver answered.').waitFor();
    const audit = await ts
      .http()
      .get('/api/audit?action=services.hardware.probe')
      .set(...bearer(token));
    assert.equal((audit.body as { items: unknown[] }).items.length, 1);
  });

  it('adds, edits and removes notification webhooks, keeping the secret of the one left alone', async () => {
    await open(page, ts.url, '/settings', 'Settings');
    const add = async (url: string, secret?: string) => {
      await page.getByRole('button', { name: 'Add webhook' }).click();
      const dialog = await dialogReady(page);
      await dialog.getByLabel('Webhook URL').fill(url);
      if (secret !== undefined) await dialog.getByLabel('Signing secret').fill(secret);
      await dialog.getByRole('button', { name: 'Save webhook' }).click();
      await dialog.waitFor({ state: 'detached' });
    };
    await add('http://127.0.0.1:9/signed', 'hook-secret-1');
    await add('http://127.0.0.1:9/plain');
    const channels = page.getByRole('list', { name: 'Channels' });
    await channels.getByText('(signed)').waitFor();

    await page.getByRole('button', { name: 'Edit webhook http://127.0.0.1:9/plain' }).click();
    const dialog = await dialogReady(page);
    await dialog.getByLabel('Webhook URL').fill('http://127.0.0.1:9/alerts');
    await screenshot(page, 'webhook-dialog-light-wide');
    await dialog.getByRole('button', { name: 'Save webhook' }).click();
    await dialog.waitFor({ state: 'detached' });
    await channels.locator('li[data-webhook="http://127.0.0.1:9/alerts"]').waitFor();

    const token = await ts.adminToken();
    const read = async () =>
      (
        await ts
          .http()
          .get('/api/notifications/channels')
          .set(...bearer(token))
      ).body as unknown;
    assert.deepEqual(await read(), {
      webhooks: [
        { url: 'http://127.0.0.1:9/signed', hasSecret: true },
        { url: 'http://127.0.0.1:9/alerts', hasSecret: false },
      ],
    });
    await screenshot(page, 'settings-channels-light-wide');

    for (const url of ['http://127.0.0.1:9/signed', 'http://127.0.0.1:9/alerts']) {
      await page.getByRole('button', { name: `Remove webhook ${url}` }).click();
      const confirm = await dialogReady(page);
      await confirm.getByRole('button', { name: 'Remove' }).click();
      await confirm.waitFor({ state: 'detached' });
      await channels.locator(`li[data-webhook="${url}"]`).waitFor({ state: 'detached' });
    }
    assert.deepEqual(await read(), { webhooks: [] });
  });

  it('creates a RAID 1 array from two new disks after the confirmation, then deletes it', async () => {
    const token = await ts.adminToken();
    for (const device of ['/dev/sdx', '/dev/sdy']) {
      const res = await ts
        .http()
        .post('/api/raid/simulation/disks')
        .set(...bearer(token))
        .send({ device });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    await open(page, ts.url, '/raid', 'RAID');
    await page.getByRole('button', { name: 'New array' }).click();
    let dialog = await dialogReady(page);
    assert.equal(await dialog.getByLabel('Name').inputValue(), 'md1');
    await dialog.getByRole('combobox', { name: 'Disks' }).click();
    await page.getByRole('option', { name: /\/dev\/sdx/ }).click();
    await page.getByRole('option', { name: /\/dev\/sdy/ }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('listbox').waitFor({ state: 'detached' });
    await screenshot(page, 'raid-create-light-wide');
    await dialog.getByRole('button', { name: 'Create' }).click();
    // The server's 428 says what will be erased; the console asks (the confirmation may open before the form's
    // dialog has gone: wait for each by its title), then repeats with the token.
    await page.getByRole('dialog', { name: 'New RAID array' }).waitFor({ state: 'detached' });
    dialog = page.getByRole('dialog', { name: 'Create md1?' });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /sdx/);
    await dialog.getByRole('button', { name: 'Erase and create' }).click();
    await dialog.waitFor({ state: 'detached' });
    const md1 = page.locator('mat-card[data-array="md1"]');
    await md1.waitFor();
    assert.match(await md1.innerText(), /RAID1/);
    assert.match(await md1.locator('li[data-member="/dev/sdx"]').innerText(), /active/);

    await md1.getByRole('button', { name: 'Delete array' }).click();
    dialog = await dialogReady(page);
    assert.match(await dialog.innerText(), /md1/);
    await dialog.getByRole('button', { name: 'Delete array' }).click();
    await dialog.waitFor({ state: 'detached' });
    await md1.waitFor({ state: 'detached' });
    const raid = await ts
      .http()
      .get('/api/raid')
      .set(...bearer(token));
    const arrays = (raid.body as { arrays: { name: string }[] }).arrays.map((a) => a.name);
    assert.deepEqual(arrays, ['md0']);
  });

  it('turns on two-factor login, then logs in with a code, with a recovery code once only, until the admin resets it', async () => {
    // A phone-sized window in the dark theme: these screens are taken here too.
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
    try {
      const userPage = await context.newPage();
      await logIn(userPage, ts.url, USER, USER_PASSWORD);
      await open(userPage, ts.url, '/account', 'My account');
      const card = userPage.locator('bh-totp-card');
      await card.getByRole('button', { name: 'Set up two-factor login' }).click();
      await card.getByRole('img', { name: 'QR code for the authenticator app' }).waitFor();
      const secret = base32Decode(await card.locator('[data-totp-secret]').innerText());
      await card.scrollIntoViewIfNeeded();
      await screenshot(userPage, 'totp-enrol-dark-narrow');
      await card.getByLabel('Code from the app').fill(totpCode(secret, Date.now()));
      await card.getByRole('button', { name: 'Turn on' }).click();
      // allInnerTexts does not wait: the list appears once the server has answered.
      const codeItems = card.getByRole('list', { name: 'Recovery codes' }).locator('li');
      await codeItems.nth(9).waitFor();
      const codes = await codeItems.allInnerTexts();
      assert.equal(codes.length, 10);
      await screenshot(userPage, 'totp-recovery-codes-dark-narrow');
      await card.getByRole('button', { name: 'I have saved them' }).click();
      await card.getByText('On · 10 recovery codes left').waitFor();

      const logOut = async () => {
        await userPage.getByRole('button', { name: `Account menu for ${USER}` }).click();
        await userPage.getByRole('menuitem', { name: 'Log out' }).click();
        await userPage.getByRole('button', { name: 'Log in' }).waitFor();
      };
      const enterPassword = async () => {
        await userPage.getByLabel('Username').fill(USER);
        await userPage.getByLabel('Password').fill(USER_PASSWORD);
        await userPage.getByRole('button', { name: 'Log in' }).click();
        await userPage.getByRole('form', { name: 'Second factor' }).waitFor();
      };
      const dashboard = userPage.getByRole('heading', { level: 1, name: 'Dashboard' });

      // The password alone no longer logs in: the next step asks for the app's code (the next 30 s step's,
      // since the server takes each step once and enrolment used the current one).
      await logOut();
      await enterPassword();
      // With the keyboard alone: the code field has the focus, Enter sends it.
      await userPage.keyboard.type(totpCode(secret, Date.now() + 30_000));
      assert.match(await userPage.getByLabel('Authentication code').inputValue(), /^\d{6}$/);
      await screenshot(userPage, 'login-second-factor-dark-narrow');
      await userPage.keyboard.press('Enter');
      await dashboard.waitFor();

      const recovery = codes[0] ?? '';
      for (const attempt of ['first', 'second'] as const) {
        await logOut();
        await enterPassword();
        await userPage.getByRole('button', { name: 'Use a recovery code' }).click();
        await userPage.getByLabel('Recovery code').fill(recovery);
        await userPage.getByRole('button', { name: 'Verify' }).click();
        if (attempt === 'first') {
          await dashboard.waitFor();
        } else {
          // Spent: refused, and the page stays on the second step with the server's message.
          await userPage.getByRole('alert').waitFor();
          assert.equal(await dashboard.count(), 0);
        }
      }

      // The admin resets it: the password alone logs in again.
      await open(page, ts.url, '/users', 'Users');
      await page.getByRole('button', { name: `Actions for ${USER}` }).click();
      await page.getByRole('menuitem', { name: 'Reset two-factor login' }).click();
      const confirm = await dialogReady(page);
      await confirm.getByRole('button', { name: 'Reset' }).click();
      await page.getByText(`Two-factor login of ${USER} is off`).waitFor();
      await userPage.getByRole('button', { name: 'Start over' }).click();
      await userPage.getByLabel('Password').fill(USER_PASSWORD);
      await userPage.getByRole('button', { name: 'Log in' }).click();
      await dashboard.waitFor();
      const audit = await ts
        .http()
        .get('/api/audit?action=user.totp.reset')
        .set(...bearer(await ts.adminToken()));
      assert.equal((audit.body as { items: unknown[] }).items.length, 1);
    } finally {
      await context.close();
    }
  });

  it('takes a screenshot of every page in light and dark theme, wide and narrow', async () => {
    // Something to show: a share with an ACL and a quota, and a file in it.
    const token = await ts.adminToken();
    const share = await ts
      .http()
      .post('/api/shares')
      .set(...bearer(token))
      .send({
        name: 'media',
        description: 'Photos and films',
        quotaBytes: 10 * 1024 ** 3,
        acl: [
          { type: 'user', name: USER, access: 'write' },
          { type: 'user', name: 'admin', access: 'write' },
        ],
      });
    assert.equal(share.status, 201, JSON.stringify(share.body));
    await ts
      .http()
      .put('/api/files/content?path=/media/holiday.txt')
      .set(...bearer(token))
      .send('A day at the sea.\n');

    const pages = [
      { route: '/', name: 'dashboard', heading: 'Dashboard' },
      { route: '/files', name: 'files', heading: 'Files' },
      { route: '/shares', name: 'shares', heading: 'Shares' },
      { route: '/users', name: 'users', heading: 'Users' },
      { route: '/groups', name: 'groups', heading: 'Groups' },
      { route: '/audit', name: 'audit', heading: 'Audit log' },
      { route: '/account', name: 'account', heading: 'My account' },
      { route: '/raid', name: 'raid', heading: 'RAID' },
      { route: '/smart', name: 'smart', heading: 'Disk health' },
      { route: '/power', name: 'power', heading: 'Power' },
      { route: '/fans', name: 'fans', heading: 'Fans' },
      { route: '/energy', name: 'energy', heading: 'Energy' },
      { route: '/scheduler', name: 'scheduler', heading: 'Scheduler' },
      { route: '/services', name: 'services', heading: 'Services' },
      { route: '/settings', name: 'settings', heading: 'Settings' },
    ];
    const taken: string[] = [];
    for (const theme of THEMES) {
      await page.evaluate((t) => {
        localStorage.setItem('baluhost.theme', t);
      }, theme);
      for (const size of WIDTHS) {
        await page.setViewportSize({ width: size.width, height: size.height });
        for (const p of pages) {
          await open(page, ts.url, p.route, p.heading);
          await screenshot(page, `${p.name}-${theme}-${size.name}`);
          taken.push(p.name);
        }
        // The dashboard's hardware cards and live charts, below the first screen.
        await open(page, ts.url, '/', 'Dashboard');
        await page.locator('[data-card="charts"] ngx-charts-line-chart').first().waitFor();
        await page.locator('[data-card="raid"]').scrollIntoViewIfNeeded();
        await screenshot(page, `dashboard-hardware-${theme}-${size.name}`);
        await page.locator('[data-card="charts"]').scrollIntoViewIfNeeded();
        await screenshot(page, `dashboard-charts-${theme}-${size.name}`);
        // The fan curve editor, drawn as a chart.
        await open(page, ts.url, '/fans', 'Fans');
        await page.locator('tr[data-fan="hwmon0/fan1"]').getByRole('button', { name: 'Edit curve' }).click();
        await page
          .getByRole('img', { name: /The fan curve/ })
          .locator('ngx-charts-line-chart')
          .waitFor();
        await page.getByLabel('Point 1 °C').scrollIntoViewIfNeeded();
        await screenshot(page, `fan-curve-${theme}-${size.name}`);
        // The schedule editor with the next runs the server answered with.
        await open(page, ts.url, '/scheduler', 'Scheduler');
        await page
          .locator('tr[data-job="smart_scan"]')
          .getByRole('button', { name: /every 1 hour/ })
          .click();
        const editor = await dialogReady(page);
        await editor.getByRole('button', { name: 'Save' }).click();
        await editor.getByRole('list', { name: 'Next runs' }).waitFor();
        await screenshot(page, `schedule-editor-${theme}-${size.name}`);
        await page.keyboard.press('Escape');
        await editor.waitFor({ state: 'detached' });
        // Two-factor enrolment on the account page (started, then cancelled: nothing changes).
        await open(page, ts.url, '/account', 'My account');
        const totp = page.locator('bh-totp-card');
        await totp.getByRole('button', { name: 'Set up two-factor login' }).click();
        await totp.getByRole('img', { name: 'QR code for the authenticator app' }).waitFor();
        await totp.scrollIntoViewIfNeeded();
        await screenshot(page, `totp-enrol-${theme}-${size.name}`);
        await totp.getByRole('button', { name: 'Cancel' }).click();
        // The new-array dialog and the email channel dialog.
        await open(page, ts.url, '/raid', 'RAID');
        await page.getByRole('button', { name: 'New array' }).click();
        await dialogReady(page);
        await screenshot(page, `raid-create-${theme}-${size.name}`);
        await page.keyboard.press('Escape');
        await open(page, ts.url, '/settings', 'Settings');
        await page.getByRole('button', { name: 'Set up email' }).click();
        await dialogReady(page);
        await screenshot(page, `email-dialog-${theme}-${size.name}`);
        await page.keyboard.press('Escape');
        // Dialogs: a share's ACL editor and a preview.
        await open(page, ts.url, '/shares', 'Shares');
        await page.getByRole('button', { name: 'Actions for media' }).click();
        await page.getByRole('menuitem', { name: 'Edit' }).click();
        await page.getByRole('dialog').getByText('Who may use it').waitFor();
        await screenshot(page, `share-dialog-${theme}-${size.name}`);
        await page.keyboard.press('Escape');
        await open(page, ts.url, '/files?path=%2Fhome', 'Files');
        await page
          .getByRole('table', { name: 'Files' })
          .getByRole('button', { name: 'notes.txt', exact: true })
          .click();
        await page.getByRole('dialog').getByLabel('Text preview').waitFor();
        await screenshot(page, `preview-${theme}-${size.name}`);
        await page.keyboard.press('Escape');
        // The login page, in a tab that is not signed in.
        const guest = await browser.newContext({
          viewport: { width: size.width, height: size.height },
          colorScheme: theme,
        });
        const guestPage = await guest.newPage();
        await guestPage.goto(`${ts.url}/login`);
        await guestPage.getByRole('button', { name: 'Log in' }).waitFor();
        await screenshot(guestPage, `login-${theme}-${size.name}`);
        await guest.close();
      }
    }
    assert.equal(taken.length, pages.length * THEMES.length * WIDTHS.length);
    await writeFile(
      path.join(SCREENSHOTS, 'README.txt'),
      'Written by e2e/browser/console.test.ts: <page>-<light|dark>-<wide 1280px|narrow 360px>.png\n',
    );
  });

  it('logged no errors in the browser console', () => {
    // Expected: the 412 of the refused upload, the 428s that ask to confirm RAID changes, and the CSP's refusal to frame the PDF's blob: URL (until the
    // server's console CSP allows `frame-src 'self' blob:`).
    const unexpected = consoleErrors.filter(
      (e) =>
        !/status of 412/.test(e) &&
        !/status of 428/.test(e) &&
        !/^Framing 'blob:.*violates the following Content Security Policy/.test(e),
    );
    assert.deepEqual(unexpected, []);
  });
});

/** A 16×16 blue square. */
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGOQizpBEmIY1TCqYfhqAAB1t0AQ8w5IqQAAAABJRU5ErkJggg==';

/** A one-page PDF, small enough to write by hand. */
function minimalPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '<< /Length 44 >>\nstream\nBT /F1 24 Tf 40 70 Td (BaluHost PDF) Tj ET\nendstream',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
