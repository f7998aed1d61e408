import { ApiError } from "./errors.ts";

// `Accept: application/json;version=N` selects the API version, as the seed's
// API asks clients to send it. Absent means the newest.
export const API_VERSIONS = [1] as const;

export function negotiateVersion(request: Request): number {
  const accept = request.headers.get("accept");
  if (!accept) return API_VERSIONS[API_VERSIONS.length - 1]!;
  const asked = accept
    .split(",")
    .map((range) => /;\s*version\s*=\s*"?([^";,\s]*)"?/i.exec(range)?.[1])
    .filter((version): version is string => version !== undefined);
  if (asked.length === 0) return API_VERSIONS[API_VERSIONS.length - 1]!;
  const supported = asked.map(Number).find((version) => (API_VERSIONS as readonly number[]).includes(version));
  if (supported === undefined) {
    throw new ApiError(
      "not_acceptable",
      `API version ${asked.join(", ").slice(0, 40)} is not supported; this server speaks version ${API_VERSIONS.join(", ")}`,
    );
  }
  return supported;
}
