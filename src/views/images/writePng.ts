import { hasPngSignature } from 'fast-png';
import { writeFileAtomic } from '../../sinks/writeFileAtomic.ts';

/**
 * Writes a PNG file atomically: the bytes go to a hidden temporary in the same directory
 * (`.name.png.tmp`, which the dashboard's figure listing skips) and are renamed over `path`, so a
 * dashboard or viewer polling the run directory never reads a half-written image.
 *
 * @param png bytes from encodePng or one of the figure builders
 * @throws TypeError when `png` is not a PNG (e.g. raw pixels passed by mistake); SinkWriteError naming `path` when it cannot be written
 * @example await writePng(join(runDir, 'samples.png'), sampleGridPng(samples));
 */
export async function writePng(path: string, png: Uint8Array): Promise<void> {
  if (!hasPngSignature(png)) throw new TypeError(`writePng: the bytes for ${path} are not a PNG (no PNG signature); encode them with encodePng first`);
  await writeFileAtomic(path, png);
}
