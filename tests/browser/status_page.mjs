// status_page.mjs: the status page in a real browser (Debian's headless Chromium, driven by
// playwright-core): it loads, shows the health figures, asks for the admin token, lists the
// dead letter and the held delete; replay and approve make them leave their lists. Screenshots
// go to OUTDIR; every request must stay on the daemon's own origin. With LINKS (the names of
// the configuration's links, "default,two") the links section shows each link as /api/status
// describes it, and the command to run for a location that needs connecting again; without,
// (one link) there is no links section.
//
// usage: node status_page.mjs BASE_URL ADMIN_TOKEN DEAD_ID HELD_ID OUTDIR [LINKS]
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CHROMIUM = '/usr/bin/chromium';
// The machine's network is closed: nothing may try to reach out.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = { timeout: 15000 };

const [base, token, deadId, heldId, outDir, links] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node status_page.mjs BASE_URL ADMIN_TOKEN DEAD_ID HELD_ID OUTDIR [LINKS]');
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: run scripts/deps.sh (Debian's chromium package)`);
  process.exit(1);
}

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  console.log('ok   ' + what);
}

async function textOf(page, sel) {
  return (await page.textContent(sel)).trim();
}

async function waitText(page, sel, want) {
  await page.waitForFunction(([s, w]) => {
    const e = document.querySelector(s);
    return e && e.textContent.trim() === w;
  }, [sel, want], WAIT);
  console.log(`ok   ${sel} shows "${want}"`);
}

// Each link of /api/status as the page lists them: the first one's services are the top-level.
function linksOf(status) {
  const first = status.link || {};
  return [{ name: first.name || 'default', events: first.events, services: status.services },
    ...(status.links || [])];
}

async function checkLinks(page) {
  if (!links) {
    check(await page.locator('#links-panel').isHidden(), 'one link: no links section');
    return;
  }
  await page.waitForSelector('#links-panel:not([hidden])', WAIT);
  const status = await page.evaluate(async () => (await fetch('/api/status')).json());
  const names = await page.$$eval('#links .link-card', (cards) => cards.map((c) => c.dataset.link));
  check(names.join(',') === links, `the links section lists ${links} (${names.join(',')})`);
  for (const l of linksOf(status)) {
    const card = `#links .link-card[data-link="${l.name}"]`;
    for (const kind of ['ghl', 'pheedloop']) {
      const svc = `${card} .link-service[data-service="${kind}"]`;
      check((await textOf(page, `${svc} .link-account`)) === l.services[kind].account,
        `link ${l.name}: ${kind} account ${l.services[kind].account}`);
      check((await textOf(page, `${svc} .link-auth`)) === 'connected',
        `link ${l.name}: ${kind} connected`);
      check((await page.locator(`${svc} .budget > *`).count()) > 0,
        `link ${l.name}: ${kind} budget shown`);
      check(/^[\d,]+ calls, [\d,]+ failed, [\d,]+ rate limited$/.test(
        await textOf(page, `${svc} .link-calls`)), `link ${l.name}: ${kind} calls of its own`);
    }
    if (Array.isArray(l.events) && l.events.length) {
      check((await textOf(page, `${card} .link-events`)) === 'events: ' + l.events.join(', '),
        `link ${l.name}: its events`);
    }
  }
  // A location that needs connecting again: the card says so and what to run.
  const fix = 'pheedsync connect ghl --link two';
  await page.route('**/api/status', async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    const two = (body.links || []).find((l) => l.name === 'two');
    Object.assign(two.services.ghl, { auth: 'needs_reauth', reason: 'refresh refused', fix });
    await route.fulfill({ response: res, json: body });
  });
  const two = '#links .link-card[data-link="two"]';
  await waitText(page, `${two} .link-fix code`, fix);
  await waitText(page, `${two} .link-service[data-service="ghl"] .link-auth`,
    'needs re-authorization');
  check(await page.$eval(two, (c) => c.dataset.state === 'bad'), 'the link is marked');
  await page.unroute('**/api/status');
  await page.waitForSelector(`${two} .link-fix`, { state: 'detached', ...WAIT });
  console.log('ok   the link is connected again once the server says so');
}

async function run(page, shots) {
  await page.goto(base + '/', { waitUntil: 'domcontentloaded' });
  check((await page.title()) === 'pheedsync status', 'the page loads with its title');
  await waitText(page, '#ready', 'Ready');
  // The health figures.
  await waitText(page, '#fig-store', 'ok');
  await waitText(page, '#fig-dead', '1');
  await waitText(page, '#fig-held', '1');
  await waitText(page, '#ghl-auth', 'connected');
  await waitText(page, '#pheedloop-auth', 'connected');
  await waitText(page, '#ghl-breaker', 'closed');
  check(/\d/.test(await textOf(page, '#fig-links')), 'linked people are counted');
  check((await page.locator('#chart line.grid').count()) === 3, 'the chart is drawn');
  await checkLinks(page);

  // The lists name people: the server asks for its token, once.
  await page.waitForSelector('#token-form:not([hidden])', WAIT);
  check((await textOf(page, '#dlq-empty')).includes('admin token'), 'the failures wait for the token');
  await page.fill('#token-input', token);
  await page.click('#token-save');
  const deadRow = `#dlq-table tbody tr[data-id="${deadId}"]`;
  const heldRow = `#held-table tbody tr[data-id="${heldId}"]`;
  await page.waitForSelector(deadRow, WAIT);
  await page.waitForSelector(heldRow, WAIT);
  check((await textOf(page, deadRow)).includes('http_400'), 'the dead letter shows its error');
  check(await page.evaluate(() => sessionStorage.getItem('pheedsync-admin-token') !== null),
    'the token is kept for this tab');
  await page.waitForSelector('#activity-table tbody tr', WAIT);
  await page.screenshot({ path: shots[0], fullPage: true });

  // Replay: the dead letter leaves the list, and the figures follow.
  await page.click(`${deadRow} button.replay`);
  await page.waitForSelector(deadRow, { state: 'detached', ...WAIT });
  console.log('ok   the replayed dead letter left the list');
  await page.waitForSelector('#notice:not([hidden])', WAIT);
  check((await textOf(page, '#notice')).includes('back in the queue'), 'the page says so');
  await waitText(page, '#fig-dead', '0');
  await page.waitForSelector('#dlq-empty:not([hidden])', WAIT);

  // Approve a held delete (the page asks for confirmation first).
  page.once('dialog', (d) => d.accept());
  await page.click(`${heldRow} button.approve`);
  await page.waitForSelector(heldRow, { state: 'detached', ...WAIT });
  console.log('ok   the approved delete left the list');
  await waitText(page, '#fig-held', '0');
  await page.screenshot({ path: shots[1], fullPage: true });
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const shots = [path.join(outDir, 'status_page.png'), path.join(outDir, 'status_page_after.png')];
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pheedsync-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 1000 },
  });
  const foreign = [];
  const errors = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('request', (r) => { if (!r.url().startsWith(base + '/')) foreign.push(r.url()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await run(page, shots);
    check(errors.length === 0, 'no script error' + (errors.length ? ': ' + errors.join('; ') : ''));
    check(foreign.length === 0, 'every request stayed on the daemon' +
      (foreign.length ? ': ' + foreign.join(', ') : ''));
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  for (const s of shots) console.log('screenshot: ' + s);
}

main().catch((e) => {
  console.error('FAIL ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
