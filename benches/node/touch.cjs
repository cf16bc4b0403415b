'use strict';
// Reads every field of every finding of a report, as a user who shows them would (so a
// lazy hand-over could not look cheaper than it is). Shared by bench.mjs and whole.cjs.

/** Touches every finding of `report`; returns a number that depends on all of them. */
function touch(report) {
  let sum = 0;
  for (const f of report.findings) {
    const { start, end } = f.range;
    sum += start.line + start.column + start.offset + end.line + end.column + end.offset;
    sum += f.rule.length + f.message.length + f.path.length + f.severity.length;
    sum += f.document + (f.resource ? f.resource.kind.length : 0);
  }
  return sum;
}

module.exports = { touch };
