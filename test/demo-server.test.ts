// The demo's static server: GET and HEAD only (405 with Allow otherwise), nosniff on every response,
// the isolation headers when asked, nothing outside the served folder.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveDemo } from '../scripts/demo-server.mjs';

const test = suite('demo-server');
const root = mkdtempSync(join(tmpdir(), 'rnam-demo-server-'));
const site = join(root, 'site');
mkdirSync(site);
writeFileSync(join(site, 'index.html'), '<!doctype html><p>demo</p>');
writeFileSync(join(site, 'app.js'), 'console.log(1)');
writeFileSync(join(root, 'secret.txt'), 'outside');
let server: Server, bare: Server;

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function send(s: Server, method: string, path: string): Promise<Reply> {
  const { port } = s.address() as AddressInfo;
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end(method === 'POST' || method === 'PUT' ? 'payload' : undefined);
  });
}

test.before(async () => {
  server = await serveDemo(site, { port: 0 });
  bare = await serveDemo(site, { port: 0, isolate: false });
});
test.after(() => {
  server.close();
  bare.close();
  rmSync(root, { recursive: true, force: true });
});

test('GET serves files with their type, nosniff and the isolation headers', async () => {
  const page = await send(server, 'GET', '/');
  assert.is(page.status, 200);
  assert.is(page.body, '<!doctype html><p>demo</p>');
  assert.is(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.is(page.headers['x-content-type-options'], 'nosniff');
  assert.is(page.headers['cross-origin-opener-policy'], 'same-origin');
  assert.is(page.headers['cross-origin-embedder-policy'], 'require-corp');
  const js = await send(server, 'GET', '/app.js');
  assert.is(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.is(js.headers['x-content-type-options'], 'nosniff');
});

test('HEAD answers the headers of GET without a body', async () => {
  const head = await send(server, 'HEAD', '/app.js');
  assert.is(head.status, 200);
  assert.is(head.body, '');
  assert.is(head.headers['content-length'], String('console.log(1)'.length));
  assert.is(head.headers['x-content-type-options'], 'nosniff');
  assert.is((await send(server, 'HEAD', '/missing.js')).status, 404);
});

test('every other method gets 405 with an Allow header, and nosniff', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND']) {
    const reply = await send(server, method, '/index.html');
    assert.is(reply.status, 405, method);
    assert.is(reply.headers.allow, 'GET, HEAD', method);
    assert.is(reply.headers['x-content-type-options'], 'nosniff', method);
  }
});

test('errors carry nosniff too; nothing outside the folder is served', async () => {
  for (const s of [server, bare]) {
    const missing = await send(s, 'GET', '/nope.html');
    assert.is(missing.status, 404);
    assert.is(missing.headers['x-content-type-options'], 'nosniff');
    const bad = await send(s, 'GET', '/%E0%A4%A');
    assert.is(bad.status, 400);
    assert.is(bad.headers['x-content-type-options'], 'nosniff');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const r = await send(s, 'GET', path);
      assert.is(r.status, 404, path);
      assert.not.match(r.body, 'outside', path);
    }
  }
});

test('isolate: false leaves the isolation headers out but keeps nosniff', async () => {
  const page = await send(bare, 'GET', '/');
  assert.is(page.status, 200);
  assert.is(page.headers['cross-origin-opener-policy'], undefined);
  assert.is(page.headers['x-content-type-options'], 'nosniff');
});

test.run();
