import { Command } from "commander";
import { agentCommand } from "./agent/command.js";
import { registerApiCommands } from "./commands/index.js";
import { versionText } from "./version.js";

/** Builds the `nomad` command tree. Subcommands arrive with the issues that implement them. */
export function buildCli(): Command {
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
  registerApiCommands(program);
  return program;
}
