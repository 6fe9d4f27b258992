'use strict';
// Preloaded (NODE_OPTIONS=--require) into every process the tests spawn while coverage runs:
// collects block coverage of this package's dist/ and writes it to $STICKY_CHILD_COVERAGE in
// NODE_V8_COVERAGE's format. NODE_V8_COVERAGE alone writes only at a clean exit, and the tests
// end most process trees with SIGKILL, so this takes the counts every few seconds (each take
// resets them; c8 adds the files up) and once more at exit: a process killed with SIGKILL loses
// at most its last TAKE_EVERY_MS. Only functions that ran are kept after the first take, which
// keeps the files small. A take serialises the counts of every loaded script (TypeScript's
// compiler is one, in a process that loaded a .ts config), so takes are kept rare.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const TAKE_EVERY_MS = 5000;
const dir = process.env.STICKY_CHILD_COVERAGE;
const dist = path.resolve(__dirname, '..', 'dist') + path.sep;
const distUrl = require('node:url').pathToFileURL(dist).href;

if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  let seq = 0;
  const take = () => {
    session.post('Profiler.takePreciseCoverage', (error, coverage) => {
      if (error) return;
      const first = seq === 0;
      const result = [];
      for (const script of coverage.result) {
        if (!script.url.startsWith(distUrl)) continue;
        const functions = first ? script.functions : script.functions.filter((f) => f.ranges[0].count > 0);
        if (functions.length > 0) result.push({ ...script, functions });
      }
      if (result.length === 0 && !first) return;
      try {
        writeFileSync(path.join(dir, `coverage-${process.pid}-${Date.now()}-${seq++}.json`), JSON.stringify({ result }));
      } catch {
        // The directory is gone: the run is over.
      }
    });
  };
  setInterval(take, TAKE_EVERY_MS).unref();
  process.on('exit', take);
}
