// `nomad agent` for commander. Nomad's single-dash flags (`-dev`, `-config=a.hcl`) reach here as
// `--dev` / `--config=a.hcl` (argv.ts rewrites them before commander parses).
import { Command } from "commander";
import type { AgentFlags } from "./config/flags.js";

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function agentCommand(): Command {
  return new Command("agent")
    .description("Runs a Nomad agent (server, client, or -dev for both)")
    .option("--dev", "development mode: server and client in one process, in memory, on loopback")
    .option("--server", "enable server mode")
    .option("--client", "enable client mode")
    .option("--config <path>", "config file or folder (HCL or JSON); repeatable, later ones win", collect)
    .option("--bootstrap-expect <n>", "servers to wait for before bootstrapping the cluster")
    .option("--data-dir <path>", "where the agent keeps its state")
    .option("--plugin-dir <path>", "plugin directory")
    .option("--bind <addr>", "address every listener binds (default 0.0.0.0)")
    .option("--region <name>", "region (default global)")
    .option("--dc <name>", "datacenter (default dc1)")
    .option("--log-level <level>", "TRACE, DEBUG, INFO, WARN or ERROR")
    .option("--log-json", "log in JSON")
    .option("--node <name>", "node name (default: host name)")
    .option("--servers <list>", "comma-separated servers a client registers with (host[:port])")
    .option("--join <addr>", "server address to join at start; repeatable", collect)
    .option("--retry-join <addr>", "server address to join, retrying; repeatable", collect)
    .option("--retry-max <n>", "join attempts before giving up (0 = forever)")
    .option("--retry-interval <duration>", "time between join attempts")
    .option("--rejoin", "rejoin the cluster after a leave")
    .option("--encrypt <key>", "gossip encryption key (base64)")
    .option("--meta <key=value>", "client node metadata; repeatable", collect)
    .option("--network-interface <name>", "client network interface")
    .option("--state-dir <path>", "client state directory")
    .option("--alloc-dir <path>", "client allocation directory")
    .option("--node-class <class>", "client node class")
    .option("--node-pool <pool>", "client node pool")
    .action(async (flags: AgentFlags) => {
      // Loaded here, not at the top: `nomad version` and the API commands never pay for the agent.
      const { runAgent } = await import("./run.js");
      const code = await runAgent({ flags });
      // Exit explicitly: sockets and tasks' watchers of a stopped agent must not keep it alive.
      process.exit(code);
    });
}
