/**
 * A sweep's grid, read from a pipeline's own command-line options (issue 13). The sweep passes
 * every option it does not own to the pipeline's command; an option's value is an *axis* when the
 * option's own parser rejects the whole comma-separated string but accepts its parts:
 *
 *   --epsilon 0.1,0.2      numberIn rejects "0.1,0.2", accepts 0.1 and 0.2   → axis of 2 values
 *   --scheme fixed,random  oneOf rejects the pair, accepts each              → axis
 *   --seed 1,2,3           seedOption rejects the list                       → axis (replicates)
 *   --epsilons 0.1,0.2     a per-qubit list the option accepts whole         → one value
 *   --axes x,y,z           accepted whole (no parser)                        → one value
 *
 * The grid is the Cartesian product of the axes in command-line order, the first outermost and
 * the last innermost, except `--seed`, which is always innermost so a cell's replicates sit
 * together: `--epsilon 0.1,0.2 --qubits 50,200 --seed 1,2` gives (0.1, 50, 1), (0.1, 50, 2),
 * (0.1, 200, 1), … (0.2, 200, 2).
 */
import { type Command, CommanderError, type Option } from 'commander';
import { UserFacingError } from '../options/userFacingError.ts';

/** One option of the pipeline as the sweep was given it. `values` has one entry unless it is an axis. */
export interface SweepOption {
  /** The long flag, e.g. `--epsilon`. */
  readonly flag: string;
  /** Its column name in the sweep's tables: `--eval-records` → `eval_records`. */
  readonly name: string;
  /** The raw values; null for a flag without a value (`--branch-info`). */
  readonly values: readonly (string | null)[];
  readonly axis: boolean;
}

/** The grid of a sweep: its options in command-line order, and which of them are axes. */
export interface GridSpec {
  /** The CLI command of one point (`train`, `ising`, …). */
  readonly command: string;
  readonly options: readonly SweepOption[];
}

/** One point of the grid. */
export interface GridPoint {
  /** 0-based position in grid order. */
  readonly index: number;
  /** Axis column → raw value of this point (in axis order, seed last). */
  readonly values: Readonly<Record<string, string>>;
  /** The point's full option list for the pipeline's command (without `--out` and `--quiet`). */
  readonly args: readonly string[];
}

/**
 * Splits `tokens` (the options of the pipeline, as given to `sweep`) into the pipeline's options
 * and finds the axes among them.
 * @param command the pipeline's command (e.g. `trainCommand()`), only read for its options
 * @throws UserFacingError (exit 2) for an unknown option, a missing value, a repeated option or an empty list item
 * @example gridSpec(isingCommand(), ['--beta', '0.3,0.44', '--steps', '20']).options[0].axis // true
 */
export function gridSpec(command: Command, tokens: readonly string[]): GridSpec {
  const options: SweepOption[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token.startsWith('-')) throw new UserFacingError(`sweep: unexpected argument "${token}" (${command.name()} takes options only)`, 2);
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const given = eq > 0 ? token.slice(0, eq) : token;
    const option = command.options.find((o) => o.long === given || o.short === given);
    if (option == null) throw new UserFacingError(`sweep: unknown option '${given}' for ${command.name()}`, 2);
    const flag = option.long ?? given;
    if (seen.has(flag)) throw new UserFacingError(`sweep: option '${flag}' given twice (give an axis as one comma-separated list)`, 2);
    seen.add(flag);
    const name = flag.replace(/^--?/, '').replace(/-/g, '_');
    if (!option.required && !option.optional) {
      if (eq > 0) throw new UserFacingError(`sweep: option '${flag}' takes no value`, 2);
      options.push({ flag, name, values: [null], axis: false });
      continue;
    }
    const raw = eq > 0 ? token.slice(eq + 1) : tokens[++i];
    if (raw === undefined) throw new UserFacingError(`sweep: option '${option.flags}' argument missing`, 2);
    const parts = axisValues(option, raw);
    options.push({ flag, name, values: parts ?? [raw], axis: parts != null });
  }
  return { command: command.name(), options };
}

/**
 * The values of `raw` as an axis of `option`, or null when it is one value: an axis when `raw`
 * holds a comma, the option has a parser, the parser rejects `raw` whole and accepts at least
 * one part (a part it rejects is reported when the points are validated, naming that part).
 * @throws UserFacingError (exit 2) for a list with an empty item (`0.1,,0.2`)
 */
export function axisValues(option: Option, raw: string): string[] | null {
  if (!raw.includes(',') || option.parseArg == null) return null;
  if (accepts(option, raw)) return null;
  const parts = raw.split(',').map((s) => s.trim());
  if (!parts.some((p) => p !== '' && accepts(option, p))) return null;
  if (parts.some((p) => p === '')) throw new UserFacingError(`sweep: option '${option.flags}': expected a comma-separated list, got "${raw}"`, 2);
  return parts;
}

function accepts(option: Option, raw: string): boolean {
  try {
    option.parseArg!(raw, undefined);
    return true;
  } catch {
    return false;
  }
}

/** The Cartesian product of the spec's axes, in the documented order (first axis outermost, seed innermost). */
export function gridPoints(spec: GridSpec): GridPoint[] {
  const axes = axisOrder(spec);
  let combos: Record<string, string>[] = [{}];
  for (const axis of axes) combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.name]: v as string })));
  return combos.map((values, index) => ({
    index,
    values,
    args: spec.options.flatMap((o) => {
      const value = o.axis ? values[o.name] : o.values[0];
      if (value === null) return [o.flag];
      // A value that starts with '-' (a negative number) is glued on, so no parser takes it for an option.
      return value.startsWith('-') ? [`${o.flag}=${value}`] : [o.flag, value];
    }),
  }));
}

/** The axes of a spec in grid order: command-line order with `--seed` moved last. */
export function axisOrder(spec: GridSpec): SweepOption[] {
  const axes = spec.options.filter((o) => o.axis);
  return [...axes.filter((o) => o.flag !== '--seed'), ...axes.filter((o) => o.flag === '--seed')];
}

/**
 * Parses one point's options with a fresh copy of the pipeline's command, without running it:
 * the options commander would hand the command's action.
 * @throws UserFacingError (exit 2) with commander's one-line message, prefixed by the point
 */
export function parsePoint(create: () => Command, point: GridPoint): Record<string, unknown> {
  const cmd = create()
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined })
    .action(() => undefined);
  try {
    cmd.parse([...point.args], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      const where = Object.keys(point.values).length ? ` (${Object.entries(point.values).map(([k, v]) => `${k}=${v}`).join(' ')})` : '';
      throw new UserFacingError(`sweep: point ${point.index}${where}: ${err.message.replace(/^error: /, '').split('\n')[0]}`, 2);
    }
    throw err;
  }
  return cmd.opts();
}

/** The typed value of an axis value as its option parses it: a number, a string or a boolean; anything else as the raw string. */
export function typedValue(command: Command, flag: string, raw: string): number | string | boolean {
  const option = command.options.find((o) => o.long === flag || o.short === flag);
  if (option?.parseArg == null) return raw;
  try {
    const v = option.parseArg(raw, undefined) as unknown;
    return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : raw;
  } catch {
    return raw;
  }
}
