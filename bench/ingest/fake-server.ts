// Runs the fake Langfuse in its own process over a bench dataset, so its memory does not count against the importer; prints its URL.
import { startFakeLangfuse } from "../../test/fake-langfuse/server";
import { benchDataset } from "./data";

const count = Number(process.argv[2] ?? 50_000);
const fake = startFakeLangfuse({ dataset: benchDataset(count), deprecationNotice: false });
// The fake records every request; a bench makes ~100k of them.
setInterval(() => (fake.requests.length = 0), 1000);
console.log(JSON.stringify({ url: fake.url, publicKey: fake.publicKey, secretKey: fake.secretKey }));
