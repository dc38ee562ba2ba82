import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { createConsoleRouter } from './console-router.ts';
import { consoleSession } from './console-auth.ts';

const TOKEN = 'console-test-token-0123456789';

describe('console sign-in, sessions and CSRF', () => {
  let server: Server;
  let base: string;
  const audit: string[] = [];
  let changes = 0;

  before(async () => {
    const pages = express.Router();
    pages.get('/', (_req, res) => {
      res
        .type('html')
        .send(`<p>calendar</p><input name="_csrf" value="${consoleSession(res).csrfToken}">`);
    });
    pages.post('/change', (_req, res) => {
      changes += 1;
      res.send('changed');
    });
    const app = express();
    app.use(
      createConsoleRouter({
        token: TOKEN,
        audit: (event) => audit.push(event),
        consolePages: pages,
      }),
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const signIn = async (token: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/console/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ token, next: '/console/' }).toString(),
    });

  const session = async () => {
    const res = await signIn(TOKEN);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await fetch(`${base}/console/`, { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    return { cookie, csrf };
  };

  const post = (
    cookie: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${base}/console/change`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });

  it('sends a browser without a session to the sign-in form and answers anything else 401', async () => {
    const page = await fetch(`${base}/console/?week=2026-W50`, {
      redirect: 'manual',
      headers: { accept: 'text/html' },
    });
    assert.equal(page.status, 303);
    assert.equal(
      page.headers.get('location'),
      `/console/sign-in?next=${encodeURIComponent('/console/?week=2026-W50')}`,
    );
    const api = await fetch(`${base}/console/`, {
      redirect: 'manual',
      headers: { accept: 'application/json' },
    });
    assert.equal(api.status, 401);
    const form = await (await fetch(`${base}/console/sign-in`)).text();
    assert.match(form, /data-testid="token"/);
    assert.match(form, /data-testid="sign-in"/);
  });

  it('refuses a wrong token without a cookie, and signs in with the right one in a strict cookie', async () => {
    const wrong = await signIn('not-the-token');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    assert.match(await wrong.text(), /Fel token/);
    const right = await signIn(TOKEN);
    assert.equal(right.status, 303);
    assert.equal(right.headers.get('location'), '/console/');
    const cookie = right.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /SameSite=Strict/);
    assert.ok(audit.includes('console sign-in'));
  });

  it('refuses a sign-in posted from another site', async () => {
    const res = await signIn(TOKEN, {
      origin: 'http://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('set-cookie'), null);
  });

  it('changes nothing on a POST without the CSRF token, with a wrong one, or from another site', async () => {
    const { cookie, csrf } = await session();
    const before = changes;
    assert.equal((await post(cookie, {})).status, 403);
    assert.equal((await post(cookie, { _csrf: `${csrf}x` })).status, 403);
    assert.equal(
      (
        await post(
          cookie,
          { _csrf: csrf },
          { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
        )
      ).status,
      403,
    );
    assert.equal((await post('tidbok_console=forged', { _csrf: csrf })).status, 401);
    assert.equal(changes, before);
    const ok = await post(
      cookie,
      { _csrf: csrf },
      { origin: base, 'sec-fetch-site': 'same-origin' },
    );
    assert.equal(ok.status, 200);
    assert.equal(changes, before + 1);
  });

  it('signs out: the old cookie no longer opens a page', async () => {
    const { cookie, csrf } = await session();
    const out = await fetch(`${base}/console/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    assert.equal(out.status, 303);
    const again = await fetch(`${base}/console/`, {
      redirect: 'manual',
      headers: { cookie, accept: 'text/html' },
    });
    assert.equal(again.status, 303);
  });

  it('serves its stylesheet locally under a strict content security policy', async () => {
    const css = await fetch(`${base}/console/static/console.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /text\/css/);
    assert.match(css.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.doesNotMatch(await css.text(), /https?:\/\//);
  });
});
