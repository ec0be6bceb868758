/**
 * @grokscope/report — the pages and figures of runs and sweeps as strings: a run's and a
 * folder's report.html (self-contained: styles, script and data inline), curves.svg, the
 * results' accuracy.svg and measures.svg, the weights-history section, and the claims
 * report of `grokscope reproduce` (claims.md, claims.html). Built from `@grokscope/runs`'
 * documents and `@grokscope/analysis`' results, drawn with `@grokscope/charts`. No file system: the caller reads and writes.
 *
 * @since 0.2.0
 */
export * from './Claims.js'
export * from './Curves.js'
export * from './Facts.js'
export * from './History.js'
export * from './Progress.js'
export * from './Report.js'
export * from './Results.js'
