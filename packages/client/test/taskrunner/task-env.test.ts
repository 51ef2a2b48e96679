import { describe, expect, it } from "vitest";
import { buildTaskEnv, interpolateConfig } from "../../src/taskrunner/index.js";
import { makeAlloc, makeNode } from "../allocrunner/fixtures.js";

describe("task environment", () => {
  const alloc = makeAlloc({
    id: "0123456789abcdef-0000",
    tasks: [
      {
        name: "server",
        config: {
          command: "/bin/echo",
          args: ["${NOMAD_ALLOC_ID}", "${attr.kernel.name}", "${node.datacenter}", "${nope}"],
        },
        env: {
          GREETING: "hi from ${NOMAD_TASK_NAME} on ${node.unique.name}",
          NOMAD_TASK_NAME: "overridden?",
        },
        meta: { Owner: "team-a" },
      },
    ],
    jobMeta: { tier: "gold" },
  });
  const job = alloc.Job!;
  const group = job.TaskGroups[0]!;
  const task = group.Tasks[0]!;
  const built = buildTaskEnv({
    alloc,
    job,
    group,
    task,
    node: makeNode(),
    region: "global",
    allocSharedDir: "/a/alloc",
    taskLocalDir: "/a/server/local",
    secretsDir: "/a/server/secrets",
    hostEnv: { PATH: "/bin", VAULT_TOKEN: "secret" },
  });

  it("sets Nomad's NOMAD_* variables", () => {
    expect(built.env).toMatchObject({
      NOMAD_ALLOC_DIR: "/a/alloc",
      NOMAD_TASK_DIR: "/a/server/local",
      NOMAD_SECRETS_DIR: "/a/server/secrets",
      NOMAD_ALLOC_ID: "0123456789abcdef-0000",
      NOMAD_SHORT_ALLOC_ID: "01234567",
      NOMAD_ALLOC_NAME: "example.web[0]",
      NOMAD_ALLOC_INDEX: "0",
      NOMAD_TASK_NAME: "server",
      NOMAD_GROUP_NAME: "web",
      NOMAD_JOB_ID: "example",
      NOMAD_JOB_NAME: "example",
      NOMAD_DC: "dc1",
      NOMAD_REGION: "global",
      NOMAD_NAMESPACE: "default",
      NOMAD_CPU_LIMIT: "250",
      NOMAD_MEMORY_LIMIT: "128",
      NOMAD_META_tier: "gold",
      NOMAD_META_TIER: "gold",
      NOMAD_META_Owner: "team-a",
      NOMAD_META_OWNER: "team-a",
      NOMAD_PORT_http: "23456",
      NOMAD_HOST_PORT_http: "23456",
      NOMAD_IP_http: "127.0.0.1",
      NOMAD_ADDR_http: "127.0.0.1:23456",
      PATH: "/bin",
    });
  });

  it("drops denied agent variables and never lets the task override NOMAD_* values", () => {
    expect(built.env["VAULT_TOKEN"]).toBeUndefined();
    expect(built.env["NOMAD_TASK_NAME"]).toBe("server");
  });

  it("interpolates ${NOMAD_*}, ${attr.*} and ${node.*} in env and config, leaving unknown names", () => {
    expect(built.env["GREETING"]).toBe("hi from server on test-node");
    expect(interpolateConfig(task.Config, built.lookup)).toEqual({
      command: "/bin/echo",
      args: ["0123456789abcdef-0000", "linux", "dc1", "${nope}"],
    });
  });
});
