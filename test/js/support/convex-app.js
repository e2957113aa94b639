'use strict';
// convex-test, convex's server and values modules and hookwise/convex, loaded
// with one of the test apps in ./convex/ (by file name), for the tests of
// defineWebhookMutation and webhookHttpAction.
async function loadConvexApp(appFile) {
  const [{ convexTest }, server, values, hookwiseConvex, app] = await Promise.all([
    import('convex-test'),
    import('convex/server'),
    import('convex/values'),
    import('../../../lib/convex/index.mjs'),
    import(`./convex/${appFile}`),
  ]);
  return { convexTest, server, v: values.v, hookwiseConvex, app };
}

module.exports = { loadConvexApp };
