'use strict';
// A child process standing in for one instance of an app: claims every id it
// is given through its own client/pool (RedisStore or PostgresStore), runs a
// pretend handler, completes, and prints the ids it acquired as JSON.
//   node claim-worker.js <redis|postgres> <url> <prefix-or-table> <ids-json-file>
// Protocol: prints READY once connected, waits for a line on stdin, then works
// and prints the acquired ids as JSON on its last line.
const fs = require('node:fs');
const { RedisStore } = require('../../../lib/stores/redis-store');
const { PostgresStore } = require('../../../lib/stores/postgres-store');

async function main() {
  const [kind, url, name, idsFile] = process.argv.slice(2);
  const ids = JSON.parse(fs.readFileSync(idsFile, 'utf8'));
  let store;
  let release;
  if (kind === 'redis') {
    const Redis = require('ioredis');
    const client = new Redis(url);
    store = new RedisStore({ client, prefix: name });
    release = () => client.quit();
  } else {
    const { Pool } = require('pg');
    const pool = new Pool({ connectionString: url, max: 8 });
    store = new PostgresStore({ pool, table: name });
    release = () => pool.end();
  }
  // Start barrier: connect first, say so, then wait for the parent's "go" so
  // that every process races from the same moment, however slow its start-up.
  await store.get('evt_barrier_warmup');
  process.stdout.write('READY\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.pause();

  const acquired = [];
  const meta = { type: 'invoice.paid', created: 1_700_000_000, leaseMs: 60_000 };
  // Eight deliveries at a time, in this process's own order.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < ids.length) {
        const id = ids[next++];
        const claim = await store.claim(id, meta);
        if (claim.status !== 'acquired') continue;
        acquired.push(id);
        if (!(await store.complete(id, claim.token))) throw new Error(`complete lost ${id}`);
      }
    }),
  );
  await release();
  process.stdout.write(JSON.stringify(acquired));
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
