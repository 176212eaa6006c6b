export type { Distribution } from './distribution.ts';
export { extendedShape } from './distribution.ts';
export { Dipolar1D } from './dipolar1d.ts';
export { Dipolar3D } from './dipolar3d.ts';
export { Normal } from './normal.ts';
export { KLRegistry, klDivergence, klNormalNormal, klRegistry, klStandardNormal } from './kl.ts';
export { monteCarloKL } from './monteCarloKL.ts';
export type { ParamLike } from './parameter.ts';
export { Bernoulli } from './bernoulli.ts';
