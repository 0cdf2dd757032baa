// `bun run cli <command>`: the operator and scripting entry point; `--help` lists every command.
import { boot } from "../boot";
import { ConfigError } from "../config";
import { DataDirLockedError } from "../db/pglite-lock";
import { AppError } from "../http/errors";
import { parseArgs, UsageError } from "./args";
import { demoReset, migrateCommand, tokenCreate, userCreate } from "./commands";
import { evalRunCommand } from "../sandbox";

const HELP = `iofold command line — works on the database the server uses (DATABASE_URL, or the embedded one in DATA_DIR).

Usage: bun run cli <command> [options]

Commands:
  user create --email E --password P [--name N] [--role owner|admin|reviewer] [--workspace ID]
        Create a user in a workspace (default: the first one; a new one when none exists).
  token create --email E [--name N] [--workspace ID]
        Create a personal API token for a user and print it once.
  migrate
        Apply pending database migrations and print the status.
  demo reset [--workspace ID]
        Remove the demo traces and eval set and generate them anew.
  eval run <eval.py> <traces.jsonl> [--timeout-ms N] [--concurrency N] [--skip-static-check]
        Run an eval file over normalized traces (one JSON per line) in the configured sandbox
        (SANDBOX=auto|nsjail|bwrap|none); prints one JSON result per trace, a summary on stderr.
        Needs no database. --skip-static-check sends the code straight to the jail (for testing the jail).
  --help
        Show this help.

The embedded database (PGlite) allows one process at a time: while the server runs on it,
commands refuse with a clear message. On Postgres they run beside any number of servers.`;

type Command = (booted: Awaited<ReturnType<typeof boot>>, args: ReturnType<typeof parseArgs>) => Promise<void>;

const commands: Record<string, Command> = {
  "user create": userCreate,
  "token create": tokenCreate,
  migrate: migrateCommand,
  "demo reset": demoReset,
};

async function main(argv: string[]): Promise<number> {
  // Runs evals on local files only: no database to open.
  if (argv[0] === "eval" && argv[1] === "run") return evalRunCommand(argv.slice(2));
  const args = parseArgs(argv);
  const [group, action] = args.positionals;
  const key = group && action && commands[`${group} ${action}`] ? `${group} ${action}` : group;
  if (!key || args.flags.help || !commands[key]) {
    if (key && !commands[key] && !args.flags.help) console.error(`error: unknown command "${args.positionals.join(" ")}"\n`);
    console.log(HELP);
    return key && !commands[key] && !args.flags.help ? 64 : 0;
  }
  const booted = await boot("cli", { LOG_LEVEL: "warn", ...process.env });
  try {
    await commands[key]!(booted, { ...args, positionals: args.positionals.slice(key.split(" ").length) });
    return 0;
  } finally {
    await booted.database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof UsageError) console.error(`error: ${error.message}\nRun with --help for usage.`);
    else if (error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof AppError) console.error(`error: ${error.message}`);
    else console.error(error);
    process.exit(error instanceof UsageError ? 64 : 1);
  },
);
