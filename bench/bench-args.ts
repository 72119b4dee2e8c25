/**
 * Command-line options of the bench scripts: `--name value` pairs read from argv, and positive
 * integer options that fail with a message naming the option.
 */
export interface BenchArgs {
  /** The value after `name`, or undefined when the option is absent. */
  get(name: string): string | undefined;
  /** A positive integer option (default `dflt`); anything else throws naming the option. */
  int(name: string, dflt: number): number;
}

export function benchArgs(argv: string[]): BenchArgs {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, dflt: number): number => {
    const v = get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`${name} expects a positive integer, got ${v}`);
    return n;
  };
  return { get, int };
}
