// Serves files under public/ (css, js, vendored htmx) with cache headers; nothing outside it.
import { Elysia } from "elysia";
import { join, normalize } from "node:path";

export const publicDir = join(import.meta.dir, "..", "..", "public");

export const staticFiles = new Elysia({ name: "iofold.static" }).get("/public/*", async ({ params, set }) => {
  const relative = normalize(params["*"]).replace(/^(\.\.(\/|$))+/, "");
  const file = Bun.file(join(publicDir, relative));
  if (relative.includes("..") || !(await file.exists())) {
    set.status = 404;
    return "Not found";
  }
  return new Response(file, { headers: { "cache-control": "public, max-age=300" } });
});
