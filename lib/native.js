'use strict';
// The one place the addon is loaded. Local build first (build/Release, made by
// `npm install` through scripts/build-addon.js); prebuilt binaries come later.
// On failure, say exactly what to do instead of showing a dlopen error.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const binary = path.join(root, 'build', 'Release', 'hookwise.node');
const buildInfoFile = path.join(root, 'build', 'Release', 'hookwise.build.json');

// A bundler that copies this file into a bundle (Next.js does for App Router
// routes) moves __filename away from the package, so the addon looks missing.
// Then the fix is to leave hookwise out of the bundle, not to rebuild it.
function isBundled() {
  return path.basename(__filename) !== 'native.js' || !fs.existsSync(__filename);
}

function loadError(reason, cause) {
  const lines = [
    `hookwise: the native addon could not be loaded: ${reason}`,
    '',
    'Possible solutions:',
    ...(isBundled()
      ? [
          "- Leave hookwise out of the bundle: in Next.js, serverExternalPackages: ['hookwise'] in",
          '  next.config.js; webpack: externals; esbuild: --external:hookwise.',
        ]
      : []),
    '- Rebuild it for this Node.js: npm rebuild hookwise',
    '  (from a clone of the repository: npm run build)',
    '- If your npm held back install scripts (allowScripts / `npm install-scripts approve`),',
    '  approve hookwise\'s and reinstall, or run the rebuild above.',
    '- System libraries it links to, on Debian/Ubuntu as root:',
    '  apt-get install build-essential python3 pkg-config libssl-dev libsodium-dev libsimdjson-dev libsqlite3-dev',
  ];
  const err = new Error(lines.join('\n'), cause ? { cause } : undefined);
  err.code = 'HOOKWISE_NATIVE_UNAVAILABLE';
  return err;
}

function readBuildInfo() {
  try {
    return JSON.parse(fs.readFileSync(buildInfoFile, 'utf8'));
  } catch {
    return null;
  }
}

function load() {
  if (!fs.existsSync(binary)) {
    const why = isBundled()
      ? 'hookwise was bundled, and the bundle looks for the addon in the wrong place'
      : 'the install step did not build it';
    throw loadError(`${path.relative(process.cwd(), binary) || binary} does not exist (${why}).`);
  }
  const info = readBuildInfo();
  if (info && (info.platform !== process.platform || info.arch !== process.arch)) {
    throw loadError(`it was built for ${info.platform}-${info.arch}, this is ${process.platform}-${process.arch}.`);
  }
  try {
    return require(binary);
  } catch (cause) {
    const built = info ? ` (built with Node.js ${info.node}, running ${process.version})` : '';
    throw loadError(`${cause.message.split('\n')[0]}${built}`, cause);
  }
}

module.exports = load();
