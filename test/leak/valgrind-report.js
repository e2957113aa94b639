'use strict';
// Reads the XML memcheck wrote for test/leak/valgrind-workload.js and decides
// (scripts/leak-check.sh runs both). Exit status 1 when memcheck reports, with
// a stack that runs through the addon:
//   - a block definitely or indirectly lost, or
//   - any memory error (invalid read or write, invalid or mismatched free,
//     use of an uninitialised value, overlapping copy, bad syscall argument).
//
// Node and V8 are not clean under memcheck: V8's conservative stack scan
// reads uninitialised stack words, and Node leaves blocks unfreed at exit on
// purpose. Those reports have no hookwise frame and are counted but not
// failed. A frame is hookwise's when its object is the addon (hookwise.node)
// or its source file is under src/addon/ or src/core/; a report that merely
// passes through a library the addon calls (SQLite, OpenSSL, simdjson,
// libsodium) still has the addon's frames further down its stack
// (valgrind is run with --num-callers deep enough), so it counts as ours.
// "Possibly lost" blocks (only an interior pointer left) are printed for a
// human to look at, and do not fail the run.
//
// One report is known and allowed, within a bound (PER_THREAD_OPENSSL): the
// error-queue state OpenSSL allocates once for each thread that uses it
// (ERR_set_mark -> [ossl_err_get_state_int ->] CRYPTO_zalloc, ~900 bytes). The addon's HMAC runs on the
// libuv pool threads, which are still parked when the process exits, so
// OpenSSL never frees that state and memcheck calls it definitely lost. Node
// does exactly the same with no hookwise code at all: run
//   valgrind --leak-check=full node -e "for (let i = 0; i < 8; i++) \
//     require('crypto').pbkdf2('a', 'b', 1, 32, 'sha256', () => {})"
// and it reports "definitely lost" blocks from ERR_set_mark, one per pool
// thread. It is allowed only while its block count stays within the number
// of threads that can run the addon's HMAC; one per call would exceed that
// at once and fail.
//
//   node test/leak/valgrind-report.js <memcheck.xml>
const fs = require('node:fs');

const FAILING_LEAKS = new Set(['Leak_DefinitelyLost', 'Leak_IndirectlyLost']);
const REPORTED_LEAKS = new Set(['Leak_PossiblyLost']);
// The libuv pool (UV_THREADPOOL_SIZE, 4 unless set), the parse helper thread
// (src/addon/parallel_parse.cc), the JS thread, with room to spare.
const PER_THREAD_OPENSSL = {
  maxBlocks: 16,
  matches: (e) =>
    e.kind === 'Leak_DefinitelyLost' &&
    /^(malloc|calloc)$/.test(e.stacks[0]?.[0]?.fn) &&
    e.stacks[0]?.[1]?.fn === 'CRYPTO_zalloc' &&
    // ERR_set_mark -> CRYPTO_zalloc directly, or through ossl_err_get_state_int
    // where that is not inlined (the libcrypto.a linked into the addon).
    (e.stacks[0]?.[2]?.fn === 'ERR_set_mark' ||
      (e.stacks[0]?.[2]?.fn === 'ossl_err_get_state_int' && e.stacks[0]?.[3]?.fn === 'ERR_set_mark')),
};

const decode = (text) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function field(xml, tag) {
  const m = xml.match(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`));
  return m ? decode(m[1].trim()) : undefined;
}

function parseErrors(xml) {
  return [...xml.matchAll(/<error>([\s\S]*?)<\/error>/g)].map(([, body]) => {
    // The first <stack> is where it happened (or was allocated, for a leak);
    // auxiliary stacks (where a block was freed) come after it.
    const stacks = [...body.matchAll(/<stack>([\s\S]*?)<\/stack>/g)].map(([, stack]) =>
      [...stack.matchAll(/<frame>([\s\S]*?)<\/frame>/g)].map(([, frame]) => ({
        fn: field(frame, 'fn') ?? '???',
        obj: field(frame, 'obj') ?? '',
        file: field(frame, 'file'),
        dir: field(frame, 'dir'),
        line: field(frame, 'line'),
      })),
    );
    const xwhat = field(body, 'xwhat') ?? '';
    const what = field(body, 'what') ?? field(xwhat, 'text') ?? '';
    const blocks = Number(field(xwhat, 'leakedblocks') ?? 0);
    return { kind: field(body, 'kind'), what, blocks, stacks };
  });
}

function isHookwiseFrame(frame) {
  if (/(^|\/)hookwise\.node$/.test(frame.obj)) return true;
  const source = `${frame.dir ?? ''}/${frame.file ?? ''}`;
  return /(^|\/)src\/(addon|core)\//.test(source);
}

function formatFrame(frame) {
  const where = frame.file ? `${frame.file}:${frame.line}` : frame.obj.replace(/^.*\//, '');
  return `${isHookwiseFrame(frame) ? '=>' : '  '} ${frame.fn}  (${where})`;
}

function main(file) {
  const xml = fs.readFileSync(file, 'utf8');
  if (!/<state>FINISHED<\/state>/.test(xml)) {
    console.error(`${file}: memcheck did not finish (the log is cut short)`);
    return 1;
  }
  const errors = parseErrors(xml);
  const counts = new Map();
  const failures = [];
  const possible = [];
  const allowed = [];
  for (const e of errors) {
    const ours = e.stacks.some((stack) => stack.some(isHookwiseFrame));
    const c = counts.get(e.kind) ?? { all: 0, ours: 0 };
    c.all += 1;
    if (ours) c.ours += 1;
    counts.set(e.kind, c);
    if (!ours) continue;
    if (REPORTED_LEAKS.has(e.kind)) possible.push(e);
    else if (PER_THREAD_OPENSSL.matches(e) && e.blocks <= PER_THREAD_OPENSSL.maxBlocks) allowed.push(e);
    else if (FAILING_LEAKS.has(e.kind) || !e.kind.startsWith('Leak_')) failures.push(e);
  }

  console.log('memcheck reports (unique stacks), all / with a hookwise frame:');
  for (const [kind, c] of [...counts].sort()) console.log(`  ${kind.padEnd(22)} ${String(c.all).padStart(5)} / ${c.ours}`);
  if (counts.size === 0) console.log('  (none)');
  const show = (e) => {
    console.log(`\n${e.kind}: ${e.what}`);
    e.stacks.forEach((stack, i) => {
      if (i > 0) console.log('  and:');
      for (const frame of stack) console.log(`    ${formatFrame(frame)}`);
    });
  };
  for (const e of allowed) {
    console.log(`\nallowed: OpenSSL's per-thread error state (see the top of this file): ${e.what}`);
  }
  if (possible.length) {
    console.log(`\n${possible.length} "possibly lost" report(s) through hookwise (not failing; full stacks in the XML):`);
    for (const e of possible) {
      const frame = e.stacks[0].find(isHookwiseFrame);
      console.log(`  ${e.what}\n    ${formatFrame(frame)}`);
    }
  }
  if (failures.length) {
    console.log(`\nFAIL: ${failures.length} leak or memory error report(s) through hookwise:`);
    failures.forEach(show);
    return 1;
  }
  console.log('\nno leak and no memory error through hookwise');
  return 0;
}

if (process.argv.length !== 3) {
  console.error('usage: node test/leak/valgrind-report.js <memcheck.xml>');
  process.exit(2);
}
process.exitCode = main(process.argv[2]);
