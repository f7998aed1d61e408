import "server-only";
import unhomoglyph from "unhomoglyph";
import type { SqlRunner } from "../db/sql-runner.ts";

// Look-alike token names ("rt-admin" and "rt-аdmin" with a Cyrillic а).
// Two names look alike when their confusable skeletons (Unicode TR39,
// section 4) are equal; application_tokens.name_skeleton is unique, so the
// database refuses the second of two look-alikes however concurrently they
// are created. The confusables data is unhomoglyph's (nodeca, MIT): Unicode's
// own confusables.txt (version 13.0.0) as a map from each source character to
// its prototype. It is the npm package with that data in the most use; it has
// not been released since 2020, and confusables.txt has changed little since
// (later versions mostly add characters of newly encoded scripts). This file
// adds only the steps TR39 puts around the map; it holds no table.

const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * skeleton(X) of TR39: NFD, remove default-ignorable code points, replace
 * each character by its prototype, NFD again; then, beyond TR39, every run of
 * white space becomes one space, since HTML shows "ops  admin" (two spaces)
 * exactly like "ops admin". Not for display: "m" becomes "rn", "1" and "I"
 * become "l".
 */
export function nameSkeleton(name: string): string {
  return unhomoglyph(name.normalize("NFD").replace(DEFAULT_IGNORABLE, "")).normalize("NFD").replace(/\s+/gu, " ");
}

/**
 * Fills name_skeleton where it is NULL (rows made before the column existed,
 * or inserted by hand), oldest first. SQL cannot compute a skeleton, so this
 * runs after every migration run. A name that looks like a name already
 * holding its skeleton keeps NULL: it goes on working and is reported, and
 * no new name may look like either (the older holds the skeleton).
 */
export async function backfillNameSkeletons(
  runner: SqlRunner,
  log: (line: string) => void,
): Promise<{ filled: number; lookAlikes: number }> {
  const rows = await runner.query<{ hash: string; name: string }>(
    `SELECT hash, name FROM application_tokens WHERE name_skeleton IS NULL ORDER BY issue_date, name`,
  );
  if (rows.length === 0) return { filled: 0, lookAlikes: 0 };
  const wanted = rows.map((row) => ({ ...row, skeleton: nameSkeleton(row.name) }));
  const holders = new Map<string, string>();
  for (const held of await runner.query<{ name: string; skeleton: string }>(
    `SELECT name, name_skeleton AS skeleton FROM application_tokens WHERE name_skeleton = ANY($1::text[])`,
    [wanted.map((row) => row.skeleton)],
  )) {
    holders.set(held.skeleton, held.name);
  }
  const fill: typeof wanted = [];
  let lookAlikes = 0;
  for (const row of wanted) {
    const holder = holders.get(row.skeleton);
    if (holder === undefined) {
      holders.set(row.skeleton, row.name);
      fill.push(row);
      continue;
    }
    lookAlikes++;
    log(
      `warning: token name ${JSON.stringify(row.name)} looks like the older ${JSON.stringify(holder)}; both keep working and no new name may look like them. ` +
        `Revoke one if it is not what it seems (tessera tokens list shows both).`,
    );
  }
  let filled = 0;
  const update = (batch: typeof wanted) =>
    runner.query<{ hash: string }>(
      `UPDATE application_tokens AS t SET name_skeleton = v.skeleton
         FROM unnest($1::text[], $2::text[]) AS v(hash, skeleton)
        WHERE t.hash = v.hash AND t.name_skeleton IS NULL
        RETURNING t.hash`,
      [batch.map((row) => row.hash), batch.map((row) => row.skeleton)],
    );
  try {
    filled = (await update(fill)).length;
  } catch (error) {
    if ((error as { code?: string }).code !== "23505") throw error;
    // A token created meanwhile took one of these skeletons: one at a time, and that one stays NULL.
    for (const row of fill) {
      try {
        filled += (await update([row])).length;
      } catch (single) {
        if ((single as { code?: string }).code !== "23505") throw single;
        lookAlikes++;
        log(
          `warning: token name ${JSON.stringify(row.name)} looks like a token created meanwhile; it keeps working, unmatched.`,
        );
      }
    }
  }
  if (filled > 0) log(`recorded the look-alike skeleton of ${filled} token name${filled === 1 ? "" : "s"}`);
  return { filled, lookAlikes };
}
