#!/usr/bin/env node
'use strict';
// The hookwise command line (API.md section 6). Each command lives in
// lib/cli/<command>.js and returns its exit code.
const { colorEnabled, palette } = require('../lib/cli/output');
const { EXIT, UsageError } = require('../lib/cli/common');

const COMMANDS = {
  demo: 'run the membership demo on a SqliteStore (what `npm run demo` runs)',
  listen: 'a local receiver: verify, deduplicate and record deliveries (--forward-to your app)',
  trigger: 'sign and send a realistic event (or --fixture FILE) to a URL',
  events: 'the event log of a store (--status, --type)',
  billing: "a customer's billing state (--customer ID | --user ID)",
  replay: 'resend recorded events (<event-id>... or --dead-letters) to a URL',
  verify: 'check a captured delivery and say why it fails',
  work: "run the events that are due (delivery: 'ack-first'): for a cron or after a crash",
};

const HELP = `hookwise: Stripe webhooks for Node.js

Usage: hookwise <command> [options]     (hookwise <command> --help for its options)

${Object.entries(COMMANDS).map(([name, what]) => `  ${name.padEnd(8)} ${what}`).join('\n')}

Secrets come from --secret or STRIPE_WEBHOOK_SECRET. --json prints machine-readable output.
Exit codes: 0 success, 1 a delivery or check failed, 2 usage error, 3 a URL was unreachable.`;

async function main(argv) {
  const io = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    colors: palette(colorEnabled(process.stdout)),
  };
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.out(HELP);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (command === '--version' || command === '-v') {
    io.out(require('../package.json').version);
    return EXIT.OK;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    io.err(`hookwise: unknown command "${command}". Commands: ${Object.keys(COMMANDS).join(', ')}`);
    return EXIT.USAGE;
  }
  const errColors = palette(colorEnabled(process.stderr));
  try {
    return await require(`../lib/cli/${command}`).run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`hookwise ${command}: ${err.message}\nRun \`hookwise ${command} --help\` for its options.`);
      return EXIT.USAGE;
    }
    io.err(`${errColors.red(`hookwise ${command}:`)} ${err.message}`);
    return err.exitCode ?? EXIT.FAILED;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
