'use strict';
// Writes the README's performance table from bench/results.json, between the markers
//   <!-- bench:start --> and <!-- bench:end -->
// so the published numbers are always the script's. `node bench/readme.js` redoes it (and
// bench/RESULTS.md) from the last full run's results.json, without measuring again.
const fs = require('node:fs');
const path = require('node:path');
const { readmeTable, renderMarkdown } = require('./lib/report.js');

const README = path.join(__dirname, '..', 'README.md');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

function updateReadme(results, file = README) {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const block = `${START}\n${readmeTable(results)}${END}`;
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  let next;
  if (a !== -1 && b > a) next = text.slice(0, a) + block + text.slice(b + END.length);
  else next = `${text.trimEnd()}${text ? '\n\n' : ''}## Performance\n\n${block}\n`;
  fs.writeFileSync(file, next);
}

if (require.main === module) {
  const results = JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8'));
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), renderMarkdown(results));
  updateReadme(results);
  process.stderr.write(`updated ${README} and bench/RESULTS.md\n`);
}

module.exports = { updateReadme };
