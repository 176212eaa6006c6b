/**
 * Our metric names → the seed notebook's TensorBoard tags, so `tensorboard --logdir` shows a run
 * under the names the seed used (`training_loss`, `x3`). Names not listed are written unchanged
 * (latent_norm, latent_fluctuation, m and z already match).
 */
export const SEED_TAGS: Readonly<Record<string, string>> = {
  loss: 'training_loss',
  magnetisation: 'x3',
};

/** The tag a metric is written under: its entry in `tags`, else its own name. */
export function tensorboardTag(name: string, tags: Readonly<Record<string, string>> = SEED_TAGS): string {
  return Object.hasOwn(tags, name) ? tags[name] : name;
}
