// A pre-initialized, fully migrated PGlite data dir kept as a tarball: new databases start from it instead of
// running initdb (3 s on two cores), so a first `bun start` and every test database open in well under a second.
import { PGlite } from "@electric-sql/pglite";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrationsFolder } from "./migrate";

const projectRoot = join(import.meta.dir, "..", "..");
const cacheDir = join(projectRoot, "node_modules", ".cache", "iofold");

/** The template depends on the PGlite build and on every migration; either changing makes a new one. */
function templatePath(): string {
  const pgliteVersion = JSON.parse(readFileSync(join(projectRoot, "node_modules", "@electric-sql", "pglite", "package.json"), "utf8")).version;
  const hash = createHash("sha256");
  for (const file of readdirSync(migrationsFolder).filter((f) => f.endsWith(".sql")).sort()) hash.update(readFileSync(join(migrationsFolder, file)));
  return join(cacheDir, `pglite-${pgliteVersion}-${hash.digest("hex").slice(0, 16)}.tar.gz`);
}

/** The template tarball, built (about 3 s) and cached on first use. */
export async function pgliteTemplate(): Promise<Blob> {
  const path = templatePath();
  if (existsSync(path)) return new Blob([readFileSync(path)]);
  const client = await PGlite.create();
  await migratePglite(drizzle(client), { migrationsFolder });
  const dump = await client.dumpDataDir("gzip");
  await client.close();
  mkdirSync(cacheDir, { recursive: true });
  // Written aside then renamed, so a concurrent reader never sees half a file.
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path);
  return dump;
}

if (import.meta.main) {
  await pgliteTemplate();
  console.log(`PGlite template ready: ${templatePath()}`);
}
