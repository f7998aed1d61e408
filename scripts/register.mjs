// Lets plain Node run Tessera's TypeScript outside Next.js (CLI, tests):
// tsx compiles .ts on the fly, and "server-only" (a guard that exists for
// the Next.js bundler) resolves to an empty module, since a CLI or a test
// process is by definition not a browser bundle.
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

register(
  "data:text/javascript," +
    encodeURIComponent(
      `export async function resolve(specifier, context, next) {
         if (specifier === "server-only") return { url: "data:text/javascript,export {};", shortCircuit: true };
         return next(specifier, context);
       }`,
    ),
);
registerTsx();
