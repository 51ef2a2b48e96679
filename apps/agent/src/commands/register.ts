import { Option, type Command } from "commander";
import { agentInfo, operatorRaftListPeers, resolveStatusTarget, systemGc } from "./misc.js";
import { allocLogs } from "./alloc-logs.js";
import { allocStatus } from "./alloc-status.js";
import { action, addClientFlags, type ClientFlags, type CommandRun } from "./common.js";
import { processDeps, type CliDeps } from "./deps.js";
import { evalStatus } from "./eval-status.js";
import { jobInspect } from "./job-inspect.js";
import { jobPlan } from "./job-plan.js";
import { jobRun } from "./job-run.js";
import { jobStatus } from "./job-status.js";
import { jobStop } from "./job-stop.js";
import { nodeDrain } from "./node-drain.js";
import { nodeEligibility } from "./node-eligibility.js";
import { nodeStatus } from "./node-status.js";
import { serverForceLeave, serverJoin, serverMembers } from "./server.js";

/** A Go-style bool flag: `--name`, plus a hidden `--no-name` so `-name=false` parses. */
function bool(cmd: Command, name: string, description: string): Command {
  cmd.option(`--${name}`, description);
  cmd.addOption(new Option(`--no-${name}`).hideHelp());
  return cmd;
}

function leaf(parent: Command, name: string, description: string, hidden = false): Command {
  const cmd = parent.command(name, { hidden }).description(description).argument("[args...]");
  return addClientFlags(cmd);
}

type Runner = <F extends ClientFlags>(fn: CommandRun<F>) => (...params: unknown[]) => Promise<void>;

function defineJobRun(jr: Command, run: Runner): void {
  for (const [n, d] of [
    ["detach", "Return immediately instead of entering monitor mode"],
    ["verbose", "Display full information"],
    ["output", "Output the JSON that would be submitted to the HTTP API without submitting the job"],
    ["preserve-counts", "Keep the current task group counts"],
    ["policy-override", "Override soft mandatory Sentinel policies"],
  ] as const) {
    bool(jr, n, d);
  }
  jr.option(
    "--check-index <index>",
    "Register only if the job's modify index matches (0: the job must not exist)",
  )
    .option("--eval-priority <priority>", "Override the priority of the evaluations produced")
    .action(run(jobRun));
}

function defineJobPlan(jp: Command, run: Runner): void {
  jp.option("--diff", "Show the differences between the submitted and the running job (default)");
  jp.addOption(new Option("--no-diff").hideHelp());
  bool(jp, "verbose", "Increase diff verbosity");
  bool(jp, "policy-override", "Override soft mandatory Sentinel policies");
  jp.action(run(jobPlan));
}

function defineJobStop(jst: Command, run: Runner): void {
  for (const [n, d] of [
    ["detach", "Return immediately instead of entering monitor mode"],
    ["purge", "Purge the job from the system (garbage-collect it now)"],
    ["yes", "Automatic yes to prompts"],
    ["verbose", "Display full information"],
    ["global", "Stop a multi-region job in all its regions"],
  ] as const) {
    bool(jst, n, d);
  }
  // commander reads `--no-shutdown-delay` as the negation of `shutdownDelay`.
  jst
    .option("--no-shutdown-delay", "Ignore the group and task shutdown_delay")
    .option("--eval-priority <priority>", "Override the priority of the evaluations produced")
    .action(run(jobStop));
}

function defineJobInspect(ji: Command, run: Runner): void {
  bool(ji, "json", "Output the job alone in JSON format");
  ji.option("--version <version>", "Display the job at the given version").action(run(jobInspect));
}

/**
 * Registers every CLI command that talks to an agent over @nomad/api: `agent-info`,
 * `status`, `job ...`, `node ...`, `alloc ...`, `eval status`, `server ...`,
 * `operator raft list-peers`, `system gc`. Each action records its exit code with `deps().exit`.
 */
export function registerApiCommands(program: Command, deps: () => CliDeps = processDeps): Command {
  const run = <F extends ClientFlags>(fn: CommandRun<F>) => action<F>(deps, fn);

  const ai = leaf(program, "agent-info", "Display status information about the local agent");
  bool(ai, "json", "Output the agent info in JSON format").action(run(agentInfo));

  const status = leaf(program, "status", "Display the status output for a resource");
  bool(status, "verbose", "Display full information").action(
    run(async (ctx, args, flags: ClientFlags & { verbose?: boolean }) => {
      if (args.length === 0) return jobStatus(ctx, [], flags);
      const id = args[args.length - 1]!;
      const target = await resolveStatusTarget(ctx, id);
      if (typeof target === "number") return target;
      if (target === "jobs") return jobStatus(ctx, [id], flags);
      if (target === "nodes") return nodeStatus(ctx, [id], flags);
      if (target === "allocs") return allocStatus(ctx, [id], flags);
      return evalStatus(ctx, [id], flags);
    }),
  );

  // ---- job ----
  const job = program.command("job").description("Interact with jobs");
  // Nomad keeps the pre-1.0 top-level spellings (`nomad run`, `nomad stop` ...) as hidden aliases.
  for (const parent of [job, program]) {
    const hidden = parent === program;
    defineJobRun(leaf(parent, "run", "Run a new job or update an existing job", hidden), run);
    defineJobPlan(leaf(parent, "plan", "Dry-run a job update to determine its effects", hidden), run);
    defineJobStop(leaf(parent, "stop", "Stop a running job", hidden), run);
    defineJobInspect(leaf(parent, "inspect", "Inspect a submitted job", hidden), run);
  }

  const js = leaf(job, "status", "Display status information about a job");
  bool(js, "verbose", "Display full information");
  bool(js, "short", "Display short output");
  bool(js, "evals", "Display the evaluations of the job");
  bool(js, "all-allocs", "Display all allocations, including those of older job versions");
  js.action(run(jobStatus));

  // ---- node ----
  const node = program.command("node").description("Interact with nodes");
  const ns = leaf(node, "status", "Display status information about nodes");
  for (const [n, d] of [
    ["self", "Query the status of the local node"],
    ["verbose", "Display full information"],
    ["short", "Display short output"],
    ["os", "Display the operating system name of each node"],
    ["quiet", "Display only node IDs"],
    ["allocs", "Display the count of running allocations of each node"],
    ["json", "Output the node(s) in JSON format"],
  ] as const) {
    bool(ns, n, d);
  }
  ns.action(run(nodeStatus));

  const nd = leaf(node, "drain", "Toggle drain mode on a given node");
  for (const [n, d] of [
    ["enable", "Enable draining for the specified node"],
    ["disable", "Disable draining for the specified node"],
    ["detach", "Return immediately instead of entering monitor mode"],
    ["force", "Force remove allocations off the node immediately"],
    ["ignore-system", "Do not drain system job allocations from the node"],
    ["keep-ineligible", "Do not make the node eligible for scheduling when the drain is disabled"],
    ["self", "Drain the local node"],
    ["yes", "Automatic yes to prompts"],
  ] as const) {
    bool(nd, n, d);
  }
  // `--deadline <d>` first, then `--no-deadline`: commander then leaves `deadline` undefined by
  // default, a string with -deadline and false with -no-deadline.
  nd.option(
    "--deadline <duration>",
    "Deadline after which remaining allocations are force-stopped (default 1h)",
  )
    .option("--no-deadline", "No deadline: allocations are migrated as their migrate blocks allow")
    .option("-m <message>", "Message for the drain update")
    .action(run(nodeDrain));

  const ne = leaf(node, "eligibility", "Toggle scheduling eligibility for a given node");
  bool(ne, "enable", "Set the node eligible for scheduling");
  bool(ne, "disable", "Set the node ineligible for scheduling");
  bool(ne, "self", "Use the local node");
  ne.action(run(nodeEligibility));

  // ---- alloc ----
  const alloc = program.command("alloc").description("Interact with allocations");
  const as = leaf(alloc, "status", "Display allocation status information and metadata");
  bool(as, "verbose", "Display full information");
  bool(as, "short", "Display short output");
  bool(as, "json", "Output the allocation in JSON format");
  as.action(run(allocStatus));

  const al = leaf(alloc, "logs", "Stream the logs of a task");
  al.option("-f", "Follow the log stream (stdout and stderr when neither is chosen)")
    .option("-n <lines>", "Number of lines to show with -tail (default 10)")
    .option("-c <bytes>", "Number of bytes to show with -tail")
    .option("--task <task>", "The task to read the logs of");
  bool(al, "stderr", "Display stderr logs");
  bool(al, "stdout", "Display stdout logs");
  bool(al, "tail", "Show the end of the logs");
  bool(al, "verbose", "Display full allocation IDs");
  al.action(run(allocLogs));

  // ---- eval ----
  const ev = program.command("eval").description("Interact with evaluations");
  const es = leaf(ev, "status", "Display evaluation status and placement failures");
  bool(es, "verbose", "Display full information");
  bool(es, "monitor", "Monitor the evaluation until it completes");
  bool(es, "json", "Output the evaluation in JSON format");
  es.action(run(evalStatus));

  // ---- server ----
  const server = program.command("server").description("Interact with servers");
  const sm = leaf(server, "members", "Display a list of the known servers and their status");
  bool(sm, "verbose", "Show the protocol version and tags");
  bool(sm, "detailed", "Same as -verbose");
  sm.action(run(serverMembers));
  leaf(server, "join", "Join server nodes together").action(run((ctx, args) => serverJoin(ctx, args)));
  const sf = leaf(server, "force-leave", "Force a server into the 'left' state");
  bool(sf, "prune", "Remove the server from the member list entirely");
  sf.action(run(serverForceLeave));

  // ---- operator ----
  const operator = program
    .command("operator")
    .description("Provides cluster-level tools for Nomad operators");
  const raft = operator.command("raft").description("Provides access to the Raft subsystem");
  const rl = leaf(raft, "list-peers", "Display the current Raft peer configuration");
  bool(rl, "stale", "Let any server answer (no leader needed)");
  rl.action(run(operatorRaftListPeers));

  // ---- system ----
  const system = program.command("system").description("Interact with the system API");
  leaf(system, "gc", "Run the system garbage collection process").action(
    run((ctx, args) => systemGc(ctx, args)),
  );

  return program;
}
