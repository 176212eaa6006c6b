import { constants } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A figure file of a run directory, as the page lists it. */
export interface FigureJson {
  /** File name inside the run directory, e.g. `scatter.svg`. */
  name: string;
  /** Where the page fetches it. */
  url: string;
  bytes: number;
  /** Last modification, ms since the epoch: the page reloads a figure when this changes. */
  mtime: number;
}

/** Figures are served up to this size; a larger file is listed but answered with 413. */
export const MAX_FIGURE_BYTES = 64 * 2 ** 20;

const TYPES: Readonly<Record<string, string>> = { svg: 'image/svg+xml', png: 'image/png' };

/**
 * A figure's file name: `.svg` or `.png`, no directory part, not hidden (so the `.name.tmp` of an
 * atomic write in progress is never listed), no control characters.
 */
export function isFigureName(name: string): boolean {
  return /^[^./\\\x00-\x1f][^/\\\x00-\x1f]*\.(svg|png)$/i.test(name);
}

/** @throws TypeError naming `fn` when `name` is not a figure's file name (see {@link isFigureName}) */
export function checkFigureName(fn: string, name: string): void {
  if (!isFigureName(name)) throw new TypeError(`${fn}: name must be a .svg or .png file name directly in the run directory (no folders, not hidden), got ${JSON.stringify(name)}`);
}

/** The Content-Type of a figure by its extension. */
export function figureType(name: string): string {
  return TYPES[name.slice(name.lastIndexOf('.') + 1).toLowerCase()];
}

/**
 * The figures directly inside `dir` (plain files only: symbolic links and folders are skipped),
 * in name order. An unreadable or missing directory has none.
 * @param urlOf the URL the page fetches a figure by
 */
export async function listFigures(dir: string, urlOf: (name: string) => string): Promise<FigureJson[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const names = entries.filter((e) => e.isFile() && isFigureName(e.name)).map((e) => e.name);
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const figures: FigureJson[] = [];
  for (const name of names) {
    try {
      const s = await stat(join(dir, name));
      figures.push({ name, url: urlOf(name), bytes: s.size, mtime: Math.round(s.mtimeMs) });
    } catch {
      // Removed between the listing and the stat: not a figure any more.
    }
  }
  return figures;
}

/**
 * The bytes of figure `name` of `dir`, or null when `dir` does not list a plain file of that name.
 * The name is matched against the directory's own listing, never joined onto a path unchecked, and
 * the file is opened without following a link, so nothing outside `dir` can be read.
 * @throws RangeError when the file is larger than {@link MAX_FIGURE_BYTES}
 */
export async function readFigure(dir: string, name: string): Promise<Buffer | null> {
  if (!isFigureName(name)) return null;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  const entry = entries.find((e) => e.name === name && e.isFile());
  if (!entry) return null;
  let fh;
  try {
    fh = await open(join(dir, entry.name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) return null;
    if (s.size > MAX_FIGURE_BYTES) throw new RangeError(`figure ${name} is ${s.size} bytes, more than the ${MAX_FIGURE_BYTES} served`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
