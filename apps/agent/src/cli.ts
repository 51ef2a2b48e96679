import { Command } from "commander";
import { agentCommand } from "./agent/command.js";
import { versionText } from "./version.js";

export interface BuildCliOptions {
  /**
   * Register the API commands (job, node, alloc ...). `nomad agent` and `nomad version` leave them
   * out: loading their modules (the HTTP client, the job-file parser) costs start-up time.
   */
  readonly apiCommands?: boolean;
}

/** Builds the `nomad` command tree. */
export async function buildCli(options: BuildCliOptions = {}): Promise<Command> {
  const program = new Command("nomad")
    .description("A TypeScript implementation of the HashiCorp Nomad agent")
    .showHelpAfterError();
  program
    .command("version")
    .description("Prints the Nomad version")
    .action(() => {
      process.stdout.write(versionText());
    });
  program.addCommand(agentCommand());
  if (options.apiCommands !== false) (await import("./commands/index.js")).registerApiCommands(program);
  return program;
}
