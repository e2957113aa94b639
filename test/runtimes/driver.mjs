// Bun and Deno: imports the entry named by argv (`hookwise`, resolved by the
// runtime through the package's exports, or `hookwise/portable`), makes the
// app, answers the deliveries read from stdin (one JSON array of
// { method, path, headers, body }) through its fetch, and prints the answers
// as one JSON array. The runtime's own Request and Response are used.
import { makeApp } from './app.mjs';

const specifier = (globalThis.Deno ? Deno.args : process.argv.slice(2))[0];
const hookwise = await import(specifier);
const app = makeApp(hookwise);

async function readStdin() {
  if (globalThis.Deno) return new Response(Deno.stdin.readable).text();
  return Bun.stdin.text();
}

const deliveries = JSON.parse(await readStdin());
const answers = [];
for (const d of deliveries) {
  const init = { method: d.method, headers: d.headers };
  if (d.body !== undefined) init.body = d.body;
  const response = await app(new Request(`http://runtime.test${d.path}`, init));
  answers.push({ status: response.status, body: await response.json() });
}
console.log(JSON.stringify({ runtime: globalThis.Deno ? 'deno' : 'bun', answers }));
