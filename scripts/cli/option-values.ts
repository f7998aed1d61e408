/**
 * node:util parseArgs refuses "--password -x" as ambiguous (a forgotten value
 * followed by another option). A secret Tessera generated is base64url and
 * may start with "-", and the usage lines say "--password PASSWORD", so for
 * the options named here the next argument is the value, whatever it starts
 * with: "--name value" becomes "--name=value" before parsing.
 */
export function withOptionValues(args: string[], names: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (names.includes(arg) && i + 1 < args.length) joined.push(`${arg}=${args[++i]}`);
    else joined.push(arg);
  }
  return joined;
}
