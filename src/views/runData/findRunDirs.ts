import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** A finished (or running) run's directory found under an output root. */
export interface RunDir {
  /** Path below the root with `/` separators, e.g. `emergent-classicality/20250101T120000Z-s1-3fa9`. */
  readonly id: string;
  /** First path segment: the pipeline. */
  readonly pipeline: string;
  /** Last path segment: the run id. */
  readonly run: string;
  /** Absolute or root-relative path of the directory. */
  readonly path: string;
}

/** A directory is a run when it holds scalars segments (`scalars*.parquet`). */
const SCALARS = /^scalars(-\d+)?\.parquet$/;

/**
 * Run directories under `root`, newest first (run ids start with their UTC start time).
 * Looks at most `maxDepth` levels down (pipeline / Hive partitions / run id) and skips hidden
 * entries and symbolic links, so a listing never leaves `root`.
 */
export async function findRunDirs(root: string, maxDepth = 5): Promise<RunDir[]> {
  const found: RunDir[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (depth > 0 && entries.some((e) => e.isFile() && SCALARS.test(e.name))) {
      const id = relative(root, dir).split(sep).join('/');
      const parts = id.split('/');
      found.push({ id, pipeline: parts[0], run: parts[parts.length - 1], path: dir });
      return;
    }
    if (depth >= maxDepth) return;
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.')) await walk(join(dir, e.name), depth + 1);
    }
  };
  await walk(root, 0);
  return found.sort((a, b) => (a.run < b.run ? 1 : a.run > b.run ? -1 : a.id.localeCompare(b.id)));
}

/** Whether `dir` itself is a run directory (holds scalars segments). */
export async function isRunDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((f) => SCALARS.test(f));
  } catch {
    return false;
  }
}
