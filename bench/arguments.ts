/** Removes `--name VALUE` from `args` and returns VALUE, or `fallback` when it is absent. */
export function takeOption(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(`--${name}`);
  if (index < 0) return fallback;
  return args.splice(index, 2)[1];
}

/** Removes `--name` from `args`; whether it was there. */
export function takeFlag(args: string[], name: string): boolean {
  const index = args.indexOf(`--${name}`);
  if (index >= 0) args.splice(index, 1);
  return index >= 0;
}
