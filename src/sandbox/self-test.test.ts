// The boot self-test: passes on a working jail, and names the problem when the jail cannot start.
import { expect, test } from "bun:test";
import { sandboxSelfTest } from "./self-test.ts";

test("passes on this machine's jail", async () => {
  expect(await sandboxSelfTest("bwrap")).toBeNull();
});

test("reports a jail that cannot be used instead of throwing", async () => {
  const original = process.env.PATH;
  process.env.PATH = "/nonexistent";
  try {
    const problem = await sandboxSelfTest("nsjail");
    expect(problem).toContain("nsjail");
  } finally {
    process.env.PATH = original;
  }
});
