/** Lattice spin systems, their exact references and statmech metrics (seed 002). */
export { ising, potts, withBeta, pairOverlap, type Bond } from './bond.ts';
export { allStates, configurationCount, stateIndex, toOneHot, toStates } from './configurations.ts';
export { latticeEnergy, latticeEnergyOfStates, magnetisationOfStates } from './latticeEnergy.ts';
export { logMarginalTransferWeight, logTransferWeight, logTransferWeightOf } from './transferWeight.ts';
export { bruteForceLattice } from './exact/bruteForce.ts';
export { isingRingLogLambda, isingTorusLogZ } from './exact/isingTorusLogZ.ts';
export { ISING_CRITICAL_BETA, onsagerLogZPerSite } from './exact/onsager.ts';
export { ringCorrelation, ringCorrelationOfStates, transferStationary, type StationaryDistribution } from './exact/transferStationary.ts';
export { latticeReference, transferReference, ENUMERATION_LIMIT, type LatticeReference, type TransferReference } from './exactReference.ts';
export { configurationsSvg, lineChartSvg, type LineSeries } from './plots.ts';
export { magnetisationStats, statmechMetrics, type StatmechProblem } from './statmechMetrics.ts';
