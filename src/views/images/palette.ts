import type { Rgb } from './raster.ts';

/**
 * Matplotlib's `tab10` categorical colours (Vega's category10), the default colour cycle of the
 * seeds' scatter plots: blue, orange, green, red, purple, brown, pink, grey, olive, cyan.
 * Label k gets TAB10[k mod 10].
 */
export const TAB10: readonly Rgb[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];
