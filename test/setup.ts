// Preloaded by `bun test`: one timezone for every test, so dates render the same on any machine.
process.env.TZ = "UTC";
