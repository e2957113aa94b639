'use strict';
// Headless Chromium for the browser checks: Debian's `chromium` package
// (scripts/setup.sh installs it), driven by puppeteer-core, which brings no
// browser of its own. HOOKWISE_CHROMIUM names another executable.
const fs = require('node:fs');
const path = require('node:path');
const { inCI, which } = require('./services');

function chromiumPath() {
  return process.env.HOOKWISE_CHROMIUM || which('chromium') || which('chromium-browser');
}

/** null when a browser can be launched here, else why not (fatal under CI=true). */
function unavailable() {
  let reason = null;
  try {
    require.resolve('puppeteer-core');
  } catch {
    reason = 'puppeteer-core is not installed (devDependencies in package.json; run npm install)';
  }
  if (!reason && !chromiumPath()) reason = 'chromium is not installed (Debian package chromium; scripts/setup.sh installs it)';
  if (reason && inCI()) throw new Error(`CI=true but the browser checks cannot run: ${reason}`);
  return reason;
}

/** A headless browser; close it with browser.close(). */
async function launch() {
  const puppeteer = require('puppeteer-core');
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // As root (CI here) Chromium refuses its sandbox; /dev/shm may be small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** build/test-artifacts/<name>, its directory made. Git-ignored (build/). */
function artifactPath(name) {
  const dir = path.join(__dirname, '..', '..', '..', 'build', 'test-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

module.exports = { chromiumPath, unavailable, launch, artifactPath };
