// npm run demo [-- --port N] [-- --no-isolation]: builds the browser demo into dist/demo/ and serves
// it on 127.0.0.1 with the cross-origin isolation headers.
import { buildDemo } from './build-demo.mjs';
import { serveDemo } from './demo-server.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--port');
const port = at >= 0 ? Number(args[at + 1]) : 8080;
if (!(Number.isInteger(port) && port >= 0 && port < 65536)) {
  console.error(`demo: --port needs a port number (0-65535), got ${args[at + 1]}`);
  process.exit(2);
}
const isolate = !args.includes('--no-isolation');
const { outDir } = await buildDemo();
const server = await serveDemo(outDir, { port, isolate }).catch((err) => {
  console.error(`demo: cannot listen on 127.0.0.1:${port}: ${err.message}${err.code === 'EADDRINUSE' ? ' (try --port N)' : ''}`);
  process.exit(1);
});
const url = `http://127.0.0.1:${server.address().port}/`;
console.log(`rnam demo: ${url}${isolate ? ' (cross-origin isolated: threaded wasm)' : ' (no COOP/COEP headers: one thread)'}; Ctrl-C stops`);
