/*
 * Runs before every npm script (the `pre*` hooks in package.json) and must work on any
 * Node, however old: that is its whole job. So: CommonJS, `var`, no optional chaining, no
 * dependencies. The project itself needs a Node that runs TypeScript by type stripping.
 */
/* global require, module, __dirname, process */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose, see above */
'use strict';
var path = require('path');

/** The major version package.json's `engines.node` asks for (">=24" → 24). */
function requiredMajor() {
  var pkg = require(path.join(__dirname, '..', 'package.json'));
  var match = /(\d+)/.exec((pkg.engines && pkg.engines.node) || '');
  return match ? Number(match[1]) : 0;
}

/** The sentence to print when `version` (e.g. "v20.11.1") is too old, else null. */
function problem(version) {
  var need = requiredMajor();
  var have = Number(/^v?(\d+)/.exec(version)[1]);
  if (have >= need) return null;
  return (
    'Node ' + need + ' or newer is required (you have ' + have + ').\n' +
    'Install Node ' + need + ' (https://nodejs.org/) and run the command again.'
  );
}

module.exports = { problem: problem };

if (require.main === module) {
  var message = problem(process.version);
  if (message) {
    process.stderr.write(message + '\n');
    process.exit(1);
  }
}
