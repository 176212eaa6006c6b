/** Shared helpers of the bench scripts. */

/**
 * `--key value` pairs and bare `--flag`s (→ 'true') over defaults; an unknown key is an error that
 * names it and the accepted ones.
 */
export function parseArgs(argv: readonly string[], defaults: Record<string, string>): Record<string, string> {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new RangeError(`unexpected argument "${a}" (options are --${Object.keys(defaults).join(', --')})`);
    const key = a.slice(2);
    if (!(key in defaults)) throw new RangeError(`unknown option --${key} (options are --${Object.keys(defaults).join(', --')})`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[key] = 'true';
    else {
      out[key] = next;
      i++;
    }
  }
  return out;
}

export function median(v: readonly number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
