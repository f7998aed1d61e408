// Server log lines. Every line passes through redact(): a token in a URL
// (?token=...) or a bearer token must never reach a log.

const PATTERNS: [RegExp, string][] = [
  [/([?&]token=)[^&\s"']*/gi, "$1[redacted]"],
  [/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[redacted]"],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, "[redacted-jwt]"],
  // MQTT credential passwords (lib/mqtt/credentials.ts).
  [/\btkn_[A-Za-z0-9_-]+/g, "tkn_[redacted]"],
];

export function redact(text: string): string {
  return PATTERNS.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), text);
}

function describe(detail: unknown): string {
  if (detail instanceof Error)
    return `${detail.name}: ${detail.message}${detail.stack ? `\n${detail.stack.split("\n").slice(1, 6).join("\n")}` : ""}`;
  return typeof detail === "string" ? detail : JSON.stringify(detail);
}

function write(level: "info" | "warn" | "error", message: string, detail?: unknown) {
  const line = `[tessera] ${level}: ${message}${detail === undefined ? "" : ` - ${describe(detail)}`}`;
  (level === "error" ? console.error : level === "warn" ? console.warn : console.log)(redact(line));
}

export const log = {
  info: (message: string, detail?: unknown) => write("info", message, detail),
  warn: (message: string, detail?: unknown) => write("warn", message, detail),
  error: (message: string, detail?: unknown) => write("error", message, detail),
};
