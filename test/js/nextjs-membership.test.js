'use strict';
// examples/nextjs-membership, built once with the real `next build` (without
// the webhook secret, as on a build machine) and `output: 'standalone'` added
// to its config, with the test-only routes of test/js/fixtures/nextjs-deploy
// added to the copy (an App Router route on webhooks.fetch, a Pages Router
// route on webhooks.node with bodyParser: false, a route calling constructEvent
// itself, and GET /api/events reading back what they ran for).
//
// 1. The membership app under `next start`: the subscription lifecycle
//    delivered over HTTP (signed with stripe-node, the reference), the
//    Checkout / Portal / cancel routes driving stripe-node against a local
//    stand-in for the Stripe API (./support/stripe-api-server.js), and the
//    webhook log page opened in headless Chromium (puppeteer-core): a dead
//    letter is shown, its replay button runs it again. Screenshots are kept
//    in build/test-artifacts/.
// 2. Deployment: the test-only routes served two ways — by `next start` in the
//    build directory, and by the standalone server.js in a copy of
//    `.next/standalone` in an empty directory (what a Docker image or a deploy
//    runs); the standalone copy is also checked to hold, and to have loaded,
//    its own copy of hookwise's native addon.
// hookwise is installed from this checkout's `npm pack`.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Stripe = require('stripe');
const app = require('./support/nextjs-app');
const { makeEvent } = require('./support/deliveries');
const { membershipSuite } = require('./support/nextjs-membership-checks');
const { until } = require('./support/until');

const skip = app.unavailable() ?? false;

const SECRET = 'whsec_nextjs_example_test_0123456789';
const MAX_BODY_BYTES = 1024 * 1024; // the handler's default; the example sets none

// A Pages Router route that forgets `bodyParser: false`: only in the test's
// copy, to check what a user who makes that mistake gets from real Next.js.
const PARSED_BODY_ROUTE = `import { createWebhookHandler } from 'hookwise';
const webhooks = createWebhookHandler({ secret: process.env.STRIPE_WEBHOOK_SECRET, on: { '*': async () => {} } });
export default webhooks.node;
`;

function sign(body, timestamp) {
  return Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: SECRET,
    ...(timestamp !== undefined ? { timestamp } : {}),
  });
}

// The test-only routes, at the paths their imports expect.
const FIXTURES = path.join(__dirname, 'fixtures', 'nextjs-deploy');
const fixture = (name) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const DEPLOY_ROUTES = {
  'app/api/webhooks/route.js': fixture('app-webhooks-route.js'),
  'app/api/verify/route.js': fixture('app-verify-route.js'),
  'app/api/events/route.js': fixture('app-events-route.js'),
  'pages/api/pages-webhook.js': fixture('pages-webhook.js'),
  'lib/received.js': fixture('received.js'),
  'pages/api/parsed-body.js': PARSED_BODY_ROUTE,
};

// The one `next build` every server here runs: { dir, output }, made on first use.
let theBuild = null;
function built() {
  theBuild ??= (async () => {
    const dir = app.prepare(DEPLOY_ROUTES, { output: 'standalone' });
    try {
      return { dir, output: await app.build(dir) };
    } catch (err) {
      err.dir = dir;
      throw err;
    }
  })();
  return theBuild;
}
after(async () => {
  if (!theBuild) return;
  const { dir } = await theBuild.catch((err) => err);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A client for one running server (see the suites below). */
function client(getServer) {
  async function post(route, body, header) {
    const headers = { 'content-type': 'application/json' };
    if (header !== undefined) headers['stripe-signature'] = header;
    const res = await fetch(`${getServer().url}${route}`, { method: 'POST', body, headers });
    const text = await res.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      assert.fail(`${route} answered ${res.status} with a body that is not JSON: ${text.slice(0, 500)}`);
    }
    return { status: res.status, body: parsed };
  }

  /** How often each event's handler ran, per route, as the app recorded it. */
  async function received() {
    const res = await fetch(`${getServer().url}/api/events`);
    assert.equal(res.status, 200);
    const { events, received: runs } = await res.json();
    return { events, runs };
  }

  async function runsOf(id) {
    return (await received()).runs.filter((r) => r.id === id);
  }

  /**
   * post() for a body over maxBodyBytes: { status, body }, or { reset: true } when the connection
   * was reset while the body was still being sent (fetch's socket-level failures).
   */
  async function postTooLarge(route, body, header) {
    try {
      return await post(route, body, header);
    } catch (err) {
      if (err instanceof TypeError && SOCKET_FAILURES.has(err.cause?.code)) return { reset: true };
      throw err;
    }
  }

  return { post, postTooLarge, received, runsOf };
}

const SOCKET_FAILURES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const TOO_LARGE_LOG = 'rejected a delivery larger than maxBodyBytes';
const countOf = (text, needle) => text.split(needle).length - 1;

/**
 * Registers the webhook checks against the server that `serve(dir)` starts
 * from the build; `extra(context)` registers more tests in the same suite.
 */
function servedBy(title, serve, extra = () => {}) {
  describe(title, { skip }, () => {
    let server;
    let buildOutput = '';
    const context = {
      server: () => server,
      buildDir: null,
      ...client(() => server),
      withOutput,
    };
    const { post, postTooLarge, received, runsOf } = context;

    /** Adds the build's and the server's output to a failing assertion's message. */
    function withOutput(fn) {
      return async (t) => {
        try {
          await fn(t);
        } catch (err) {
          err.message += `\n--- next build ---\n${buildOutput}\n--- server ---\n${server ? server.output() : '(not started)'}`;
          throw err;
        }
      };
    }

    before(async () => {
      const { dir, output } = await built();
      buildOutput = output;
      context.buildDir = dir;
      server = await serve(dir, context);
    });

    after(async () => {
      if (server) await server.stop();
      if (context.cleanup) context.cleanup();
    });

    for (const { route, name } of [
      { route: '/api/webhooks', name: 'app' },
      { route: '/api/pages-webhook', name: 'pages' },
    ]) {
      describe(`${route} (${name === 'app' ? 'App Router, webhooks.fetch' : 'Pages Router, webhooks.node'})`, () => {
        it('a signed delivery is 200 and runs the handler once; the same delivery again is a duplicate and runs nothing', withOutput(async () => {
          const event = makeEvent({ type: 'checkout.session.completed' });
          const body = JSON.stringify(event);
          const first = await post(route, body, sign(body));
          assert.equal(first.status, 200);
          assert.deepEqual(first.body, { received: true });
          assert.deepEqual(await runsOf(event.id), [{ route: name, id: event.id, type: event.type, attempt: 1 }]);

          const again = await post(route, body, sign(body));
          assert.equal(again.status, 200);
          assert.deepEqual(again.body, { received: true, duplicate: true });
          assert.equal((await runsOf(event.id)).length, 1);

          const { events } = await received();
          assert.deepEqual(events.find((e) => e.id === event.id), {
            id: event.id,
            type: event.type,
            status: 'completed',
            attempts: 1,
          });
        }));

        it('concurrent deliveries of one event run its handler once', withOutput(async () => {
          const event = makeEvent();
          const body = JSON.stringify(event);
          const answers = await Promise.all(Array.from({ length: 6 }, () => post(route, body, sign(body))));
          for (const { status, body: answer } of answers) {
            if (status === 409) assert.deepEqual(answer, { error: 'in_progress' });
            else assert.equal(status, 200);
          }
          assert.equal(answers.filter((a) => a.status === 200 && !a.body.duplicate).length, 1);
          assert.equal((await runsOf(event.id)).length, 1);
        }));

        it('a bad, missing or expired signature and a body that is not JSON are 400 with the error code; nothing runs', withOutput(async () => {
          const event = makeEvent();
          const body = JSON.stringify(event);
          const forged = sign(body).replace(/v1=[0-9a-f]/, (m) => (m.endsWith('0') ? 'v1=1' : 'v1=0'));
          const bad = await post(route, body, forged);
          assert.equal(bad.status, 400);
          assert.equal(bad.body.error, 'signature_mismatch');
          assert.equal(typeof bad.body.message, 'string');
          assert.ok(!bad.body.message.includes(SECRET) && !bad.body.message.includes(event.id), 'no secret or payload in the answer');

          const missing = await post(route, body, undefined);
          assert.equal(missing.status, 400);
          assert.equal(missing.body.error, 'missing_header');

          const old = await post(route, body, sign(body, Math.floor(Date.now() / 1000) - 3600));
          assert.equal(old.status, 400);
          assert.equal(old.body.error, 'timestamp_too_old');

          const notJson = '{"id": "evt_not_json",';
          const parsed = await post(route, notJson, sign(notJson));
          assert.equal(parsed.status, 400);
          assert.equal(parsed.body.error, 'invalid_json');

          assert.deepEqual(await runsOf(event.id), []);
        }));

        it('a body of exactly maxBodyBytes is processed; one byte more is 413 and runs nothing', withOutput(async () => {
          const event = makeEvent();
          const base = JSON.stringify(event);
          const exact = base + ' '.repeat(MAX_BODY_BYTES - Buffer.byteLength(base));
          const atLimit = await post(route, exact, sign(exact));
          assert.equal(atLimit.status, 200);
          assert.deepEqual(atLimit.body, { received: true });

          const overEvent = makeEvent();
          const overBase = JSON.stringify(overEvent);
          const over = overBase + ' '.repeat(MAX_BODY_BYTES + 1 - Buffer.byteLength(overBase));
          const rejectedBefore = countOf(server.output(), TOO_LARGE_LOG);
          const tooBig = await postTooLarge(route, over, sign(over));
          // The adapters answer 413 without reading the rest and close the connection (API.md), so
          // a client still sending may get a TCP reset before it reads the answer; what the server
          // did is asserted either way.
          if (!tooBig.reset) {
            assert.equal(tooBig.status, 413);
            assert.deepEqual(tooBig.body, { error: 'payload_too_large' });
          }
          // The server's log reaches this process through a pipe, a moment after the answer.
          await until(() => countOf(server.output(), TOO_LARGE_LOG) === rejectedBefore + 1, 'the server to log the rejection as too large', 10_000);
          assert.equal((await runsOf(event.id)).length, 1);
          assert.deepEqual(await runsOf(overEvent.id), []);
        }));
      });
    }

    it('both routes share one SqliteStore file: an event processed by one is a duplicate at the other', withOutput(async () => {
      const event = makeEvent();
      const body = JSON.stringify(event);
      assert.deepEqual((await post('/api/webhooks', body, sign(body))).body, { received: true });
      const other = await post('/api/pages-webhook', body, sign(body));
      assert.equal(other.status, 200);
      assert.deepEqual(other.body, { received: true, duplicate: true });
      assert.deepEqual((await runsOf(event.id)).map((r) => r.route), ['app']);
    }));

    it('a Pages Router route without bodyParser: false gets 400 payload_not_raw naming the fix', withOutput(async () => {
      const body = JSON.stringify(makeEvent());
      const res = await post('/api/parsed-body', body, sign(body));
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'payload_not_raw');
      assert.match(res.body.message, /bodyParser: false/);
    }));

    describe('/api/verify (constructEvent in a route of your own)', () => {
      it('a signed delivery returns the parsed event', withOutput(async () => {
        const event = makeEvent({ type: 'invoice.payment_failed' });
        const body = JSON.stringify(event);
        const res = await post('/api/verify', body, sign(body));
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { received: true, id: event.id, type: event.type });
      }));

      it('a bad signature, a missing header and an expired timestamp are 400 with the error code', withOutput(async () => {
        const body = JSON.stringify(makeEvent());
        const forged = sign(body.replace('"invoice.paid"', '"invoice.voided"'));
        assert.deepEqual(await post('/api/verify', body, forged), { status: 400, body: { error: 'signature_mismatch' } });
        assert.deepEqual(await post('/api/verify', body, undefined), { status: 400, body: { error: 'missing_header' } });
        const old = sign(body, Math.floor(Date.now() / 1000) - 3600);
        assert.deepEqual(await post('/api/verify', body, old), { status: 400, body: { error: 'timestamp_too_old' } });
      }));
    });

    extra(context);
  });
}

describe('examples/nextjs-membership: next build', { skip }, () => {
  let buildOutput = '';
  before(async () => {
    buildOutput = (await built()).output;
  });

  function withOutput(fn) {
    return async () => {
      try {
        await fn();
      } catch (err) {
        err.message += `\n--- next build ---\n${buildOutput}`;
        throw err;
      }
    };
  }

  it('builds without STRIPE_WEBHOOK_SECRET, with every route dynamic', withOutput(() => {
    const routes = ['/api/webhooks/stripe', '/api/webhooks/clerk', '/api/stripe/checkout', '/api/stripe/portal', '/api/stripe/cancel', '/api/me', '/admin/webhooks'];
    for (const route of [...routes, '/api/webhooks', '/api/verify', '/api/events', '/api/pages-webhook']) {
      assert.match(buildOutput, new RegExp(`ƒ ${route.replace(/\//g, '\\/')}\\b`), `${route} in the build output`);
    }
  }));
});

membershipSuite({ skip, built, secret: SECRET });

servedBy('examples/nextjs-membership (test-only routes) under next start', (dir) => app.start(dir, { STRIPE_WEBHOOK_SECRET: SECRET }));

servedBy(
  "examples/nextjs-membership (test-only routes) as an output: 'standalone' copy in an empty directory (node server.js)",
  (dir, context) => {
    const copy = app.copyStandalone(dir);
    context.copy = copy;
    context.cleanup = () => fs.rmSync(copy.root, { recursive: true, force: true });
    return app.startStandalone(copy.appDir, { STRIPE_WEBHOOK_SECRET: SECRET });
  },
  (context) => {
    const { withOutput, post } = context;
    const shipped = () => app.nodeFiles(path.join(context.buildDir, 'node_modules', 'hookwise'));
    const copied = () => path.join(context.copy.appDir, 'node_modules', 'hookwise');

    it('the copy holds every .node file the installed hookwise has, and no symlink out of the copy', withOutput(() => {
      assert.notDeepEqual(shipped(), [], 'the installed hookwise has a .node file');
      assert.deepEqual(
        shipped().filter((file) => !fs.existsSync(path.join(copied(), file))),
        [],
        'traced into .next/standalone/node_modules/hookwise',
      );
      assert.deepEqual(app.linksLeaving(context.copy.root), []);
    }));

    it('after deliveries to both webhook routes, the only native addons the server has loaded are files in the copy, hookwise\'s among them', withOutput(async (t) => {
      for (const route of ['/api/webhooks', '/api/pages-webhook']) {
        const body = JSON.stringify(makeEvent());
        assert.equal((await post(route, body, sign(body))).status, 200, route);
      }
      // server.js runs in its own directory, so SqliteStore's default file is in the copy too.
      assert.ok(fs.existsSync(path.join(context.copy.appDir, '.hookwise', 'events.db')), '.hookwise/events.db beside server.js');
      const mapped = app.mappedAddons(context.server().pid);
      if (mapped === null) {
        t.skip('no /proc/<pid>/maps here: only the copy\'s files are checked');
        return;
      }
      assert.deepEqual(mapped.filter((file) => path.relative(context.copy.root, file).startsWith('..')), [], 'loaded from outside the copy');
      const own = mapped.filter((file) => file.startsWith(copied() + path.sep)).map((file) => path.relative(copied(), file));
      assert.equal(own.length, 1, `one hookwise .node loaded from the copy; mapped: ${mapped.join(', ') || '(none)'}`);
      assert.ok(shipped().includes(own[0]), `${own[0]} is one of the installed hookwise's ${shipped().join(', ')}`);
    }));
  },
);

describe("hookwise under @vercel/nft (the file tracer of `next build --webpack`)", { skip }, () => {
  it('tracing lib/index.js and lib/index.mjs finds every .node file the installed hookwise has', async () => {
    const { nodeFileTrace } = require(path.join(app.resolvePackage('next'), 'dist', 'compiled', '@vercel', 'nft'));
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-nft-')));
    try {
      fs.mkdirSync(path.join(dir, 'node_modules'));
      const pkg = app.installHookwise(path.join(dir, 'node_modules'));
      const { fileList } = await nodeFileTrace([path.join(pkg, 'lib', 'index.js'), path.join(pkg, 'lib', 'index.mjs')], {
        base: dir,
        processCwd: dir,
        mixedModules: true,
      });
      const traced = new Set([...fileList].map((file) => path.resolve(dir, file)));
      const files = app.nodeFiles(pkg);
      assert.notDeepEqual(files, [], 'the installed hookwise has a .node file');
      assert.deepEqual(files.filter((file) => !traced.has(path.join(pkg, file))), [], 'not traced');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('examples/nextjs-membership without serverExternalPackages', { skip }, () => {
  // Bundled, the addon cannot be found: hookwise falls back to its portable implementation with
  // one warning that names the fix. The example's routes create a SqliteStore at module scope,
  // which the portable implementation has only on node:sqlite (Node 22.13+): on older Node the
  // build then fails on that, with the warning in its output.
  it('next build warns that hookwise was bundled, naming serverExternalPackages, and falls back to portable', async () => {
    const dir = app.prepare({ 'next.config.js': 'module.exports = {};\n' });
    try {
      let output;
      try {
        output = await app.build(dir);
      } catch (err) {
        assert.match(err.message, /SqliteStore needs node:sqlite/);
        output = err.message;
      }
      assert.match(output, /the native addon could not be loaded: .*hookwise was bundled/);
      assert.match(output, /using the portable implementation instead .*serverExternalPackages: \['hookwise'\]/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
