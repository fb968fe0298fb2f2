// A static file server for the demo with the cross-origin isolation headers (COOP/COEP), which give
// the page SharedArrayBuffer and so the threaded wasm backend. Binds 127.0.0.1 only, answers GET and
// HEAD only (405 otherwise), and marks every response nosniff so a browser never guesses a type.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8', '.map': 'application/json', '.png': 'image/png', '.safetensors': 'application/octet-stream',
};
export const isolationHeaders = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
/** Sent on every response, errors included. */
export const baseHeaders = { 'X-Content-Type-Options': 'nosniff' };
/** The methods the server answers; any other gets 405 with this list in its Allow header. */
export const allowedMethods = ['GET', 'HEAD'];

/** Serves `dir`; `isolate: false` leaves the isolation headers out (to see the page fall back to one thread). */
export function serveDemo(dir, { port = 8080, isolate = true } = {}) {
  const headers = isolate ? { ...baseHeaders, ...isolationHeaders } : { ...baseHeaders };
  const server = createServer((req, res) => {
    if (!allowedMethods.includes(req.method ?? '')) {
      res.writeHead(405, { ...headers, allow: allowedMethods.join(', '), 'content-type': 'text/plain' }).end('method not allowed');
      return;
    }
    let path;
    try {
      path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    } catch {
      res.writeHead(400, headers).end();
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = join(dir, path);
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = types[extname(file)] ?? 'application/octet-stream';
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-type': type, 'content-length': statSync(file).size, 'cache-control': 'no-cache' }).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': type, 'cache-control': 'no-cache' });
    res.end(readFileSync(file));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}
