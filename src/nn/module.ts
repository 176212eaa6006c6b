import type { Variable } from '../backend/tf.ts';

/**
 * Anything with trainable variables: layers, encoders, decoders. The names are stable and
 * unique within a model (checkpoints key on them); TF.js's own variable names are not.
 */
export interface Module {
  namedVariables(): Array<[string, Variable]>;
  dispose(): void;
}

export function variablesOf(...modules: Module[]): Variable[] {
  return modules.flatMap((m) => m.namedVariables().map(([, v]) => v));
}

/** Prefixes the names of a sub-module's variables: `encoder/` + `score/weight`. */
export function prefixed(prefix: string, module: Module): Array<[string, Variable]> {
  return module.namedVariables().map(([n, v]) => [`${prefix}/${n}`, v]);
}
