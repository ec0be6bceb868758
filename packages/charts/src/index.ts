/**
 * @grokscope/charts: the figures of the report, the curves (curves.svg), the results and the web
 * page as SVG strings, from one module: one palette, shared step axes, log ticks at powers of ten.
 *
 * @since 0.1.0
 */
export * from './Charts.js'
export * from './Palette.js'
export * from './Scale.js'
export * from './Text.js'
export * from './Curves.js'
