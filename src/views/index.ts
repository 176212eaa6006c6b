/**
 * Views of a metric stream: terminal progress, live dashboard, TensorBoard event files and SVG
 * figures. Each is an operator that taps `Observable<MetricRecord>` and passes records through, so
 * they compose: `metrics$.pipe(progress(...), tensorboard(dir), dashboard(server, info), plots(dir))`.
 * Beside them, the figure builders (pure functions from data to SVG text) pipelines draw their own
 * results with: line charts, scatter-over-contours small multiples, MCMC trace plots.
 */
export { progress, type ProgressOptions } from './progress/progress.ts';
export { tensorboard, type TensorboardOptions } from './tensorboard/tensorboard.ts';
export { SEED_TAGS } from './tensorboard/tensorboardTags.ts';
export { dashboard } from './dashboard/dashboard.ts';
export { startDashboard, DashboardServer, type DashboardOptions, type LiveRun, type LiveRunOptions } from './dashboard/dashboardServer.ts';
export type { FigureJson } from './dashboard/runFigures.ts';
export { plots, type PlotsOptions } from './plots/plots.ts';
export { writePlots, PLOT_FILES } from './plots/writePlots.ts';
export { lineChartSvg, type LineChartOptions, type LineSeries, type ReferenceLine } from './plots/lineChartSvg.ts';
export { contourLines, contourPaths, type ContourLine, type DensityGrid, type Projection } from './plots/contourPaths.ts';
export { scatterContoursSvg, type ScatterContoursOptions, type ScatterPanel } from './plots/scatterContoursSvg.ts';
export { tracePlotSvg, type TracePlotOptions, type TraceSeries } from './plots/tracePlotSvg.ts';
export { readRun } from './runData/readRun.ts';
export { findRunDirs, isRunDir, type RunDir } from './runData/findRunDirs.ts';
export { addViewOptions, viewsFromOptions, DEFAULT_DASHBOARD_PORT, type ViewOptions, type ViewContext, type Views } from './viewOptions.ts';
export type { RunInfo, RunStatus } from './runInfo.ts';
