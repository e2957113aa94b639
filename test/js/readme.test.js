'use strict';
// README's JavaScript examples: every ```js block parses as the module kind its
// syntax claims (import/export: an ES module, which then must not call
// require; otherwise CommonJS), and the two "Verify a webhook yourself"
// programs run as written: the Next.js route answers a request signed by
// stripe-node, and the Express server answers over HTTP.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const Stripe = require('stripe');

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const SECRET = 'whsec_readme_example_secret_0123456789';

/** The fenced code blocks of a Markdown text: { lang, code, line } (line: 1-based, of the opening fence). */
function codeBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    assert.notEqual(end, -1, `README.md:${i + 1}: unclosed code block`);
    blocks.push({ lang: open[1], code: lines.slice(i + 1, end).join('\n'), line: i + 1 });
    i = end;
  }
  return blocks;
}

// Comments and string contents out, so that "require" in a comment or a message does not count.
const code = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1').replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
const isModule = (text) => /^\s*(?:import\s*[\w{*'"]|export\s)/m.test(code(text));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-readme-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
// `hookwise` and `express` resolve from the examples' directory as in an app.
fs.mkdirSync(path.join(tmp, 'node_modules'));
fs.symlinkSync(ROOT, path.join(tmp, 'node_modules', 'hookwise'), 'dir');
fs.symlinkSync(path.dirname(require.resolve('express/package.json')), path.join(tmp, 'node_modules', 'express'), 'dir');

const jsBlocks = codeBlocks(README).filter((b) => b.lang === 'js' || b.lang === 'javascript');
const byFile = (name) => {
  const block = jsBlocks.find((b) => b.code.split('\n')[0].trim() === `// ${name}`);
  assert.ok(block, `README has a js block starting with "// ${name}"`);
  return block;
};

describe('README.md js blocks', () => {
  it('has the blocks this test knows', () => {
    assert.ok(jsBlocks.length >= 5, `${jsBlocks.length} js blocks`);
  });

  for (const block of jsBlocks) {
    const kind = isModule(block.code) ? 'ES module' : 'CommonJS';
    it(`README.md:${block.line} parses as ${kind}`, () => {
      if (kind === 'ES module') {
        assert.doesNotMatch(code(block.code), /\brequire\s*\(|module\.exports|exports\.\w+\s*=/, 'an ES module has no require/module.exports (mixing them fails when it runs)');
      }
      const file = path.join(tmp, `block-${block.line}.${kind === 'ES module' ? 'mjs' : 'cjs'}`);
      fs.writeFileSync(file, block.code);
      try {
        execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });
      } catch (err) {
        assert.fail(`README.md:${block.line} does not parse as ${kind}:\n${err.stderr}`);
      }
    });
  }

  it('the Handle webhooks block is an ES module (export const POST) without require', () => {
    const block = jsBlocks.find((b) => b.code.includes('export const POST = webhooks.fetch'));
    assert.ok(block);
    assert.ok(isModule(block.code));
  });
});

/** A signed delivery, signed by stripe-node (the reference), of a minimal snapshot event. */
function signed(secret = SECRET) {
  const payload = JSON.stringify({ id: 'evt_readme_1', object: 'event', type: 'invoice.paid', created: 1_760_000_000, data: { object: { id: 'in_1', object: 'invoice' } } });
  return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret }) };
}

describe('README "Verify a webhook yourself" runs as written', () => {
  it('the Next.js App Router route (ESM): 200 for a signed delivery, 400 with the code otherwise', async () => {
    const file = path.join(tmp, 'app-route.mjs');
    fs.writeFileSync(file, byFile('app/api/webhooks/route.js').code);
    const { POST } = await import(pathToFileURL(file).href);
    const saved = process.env.STRIPE_WEBHOOK_SECRET;
    process.env.STRIPE_WEBHOOK_SECRET = SECRET;
    try {
      const request = ({ payload, header }) => new Request('http://localhost/api/webhooks', { method: 'POST', body: payload, headers: { 'stripe-signature': header } });
      const ok = await POST(request(signed()));
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { received: true });
      const forged = await POST(request(signed('whsec_someone_else')));
      assert.equal(forged.status, 400);
      assert.deepEqual(await forged.json(), { error: 'signature_mismatch' });
    } finally {
      if (saved === undefined) delete process.env.STRIPE_WEBHOOK_SECRET;
      else process.env.STRIPE_WEBHOOK_SECRET = saved;
    }
  });

  describe('the Express server (CommonJS)', () => {
    let child;
    let url;
    before(async () => {
      const file = path.join(tmp, 'server.js');
      fs.writeFileSync(file, byFile('server.js').code);
      const port = await new Promise((resolve) => {
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
          const { port: p } = probe.address();
          probe.close(() => resolve(p));
        });
      });
      child = spawn(process.execPath, [file], { cwd: tmp, env: { ...process.env, PORT: String(port), STRIPE_WEBHOOK_SECRET: SECRET } });
      url = await new Promise((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        child.stdout.on('data', (d) => {
          out += d;
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`server.js exited (${code}): ${err}`)));
      });
    });
    after(() => {
      child.removeAllListeners('exit');
      child.kill();
    });

    it('200 for a signed delivery, 400 with the code for a forged one', async () => {
      const post = ({ payload, header }) => fetch(url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', 'stripe-signature': header } });
      const ok = await post(signed());
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { received: true });
      const forged = await post(signed('whsec_someone_else'));
      assert.equal(forged.status, 400);
      assert.deepEqual(await forged.json(), { error: 'signature_mismatch' });
    });
  });
});
