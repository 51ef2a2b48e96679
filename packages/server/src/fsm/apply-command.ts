// One command -> state writes, inside the transaction of the entry being applied.
import {
  deleteEvals,
  deleteNodes,
  purgeJob,
  stopJob,
  StateError,
  updateAllocsFromClient,
  updateDesiredTransitions,
  updateNodeDrain,
  updateNodeEligibility,
  updateNodeStatus,
  upsertEvals,
  upsertJob,
  upsertNode,
  upsertPlanResults,
  type StateTxn,
} from "../state/index.js";
import type { FsmCommand } from "./commands.js";

export function applyCommand(txn: StateTxn, cmd: FsmCommand): void {
  switch (cmd.type) {
    case "JobRegister": {
      const job = upsertJob(txn, cmd.Job);
      // The eval refers to the job version it evaluates (unchanged spec: the stored one).
      if (cmd.Eval !== undefined && cmd.Eval !== null)
        upsertEvals(txn, [{ ...cmd.Eval, JobModifyIndex: job.JobModifyIndex }]);
      return;
    }
    case "JobDeregister": {
      if (txn.job(cmd.Namespace, cmd.JobID) === undefined)
        throw new StateError(
          "NOT_FOUND",
          `job "${cmd.JobID}" in namespace "${cmd.Namespace}" doesn't exist to be deregistered`,
        );
      let jobModifyIndex = txn.index;
      if (cmd.Purge) purgeJob(txn, cmd.Namespace, cmd.JobID);
      else
        jobModifyIndex = stopJob(txn, cmd.Namespace, cmd.JobID, cmd.SubmitTime ?? undefined).JobModifyIndex;
      if (cmd.Eval !== undefined && cmd.Eval !== null)
        upsertEvals(txn, [{ ...cmd.Eval, JobModifyIndex: jobModifyIndex }]);
      return;
    }
    case "JobBatchDeregister":
      for (const j of cmd.Jobs) purgeJob(txn, j.Namespace, j.ID);
      upsertEvals(txn, cmd.Evals);
      return;
    case "NodeRegister":
      upsertNode(txn, cmd.Node);
      upsertEvals(txn, cmd.Evals ?? []);
      return;
    case "NodeUpdateStatus":
      updateNodeStatus(txn, cmd.NodeID, cmd.Status, cmd.UpdatedAt, cmd.NodeEvent ?? undefined);
      upsertEvals(txn, cmd.Evals);
      return;
    case "NodeUpdateDrain":
      updateNodeDrain(
        txn,
        cmd.NodeID,
        cmd.DrainStrategy ?? null,
        cmd.MarkEligible,
        cmd.UpdatedAt,
        cmd.NodeEvent ?? undefined,
      );
      upsertEvals(txn, cmd.Evals);
      return;
    case "NodeUpdateEligibility":
      updateNodeEligibility(txn, cmd.NodeID, cmd.Eligibility, cmd.UpdatedAt, cmd.NodeEvent ?? undefined);
      upsertEvals(txn, cmd.Evals);
      return;
    case "NodeBatchDeregister":
      deleteNodes(txn, cmd.NodeIDs);
      return;
    case "EvalUpdate":
      upsertEvals(txn, cmd.Evals);
      return;
    case "EvalDelete":
      deleteEvals(txn, cmd.Evals, cmd.Allocs);
      return;
    case "AllocClientUpdate":
      // Follow-up evals first, as Nomad does, so the job status sees them.
      upsertEvals(txn, cmd.Evals);
      updateAllocsFromClient(txn, cmd.Allocs);
      return;
    case "ApplyPlanResults":
      upsertPlanResults(txn, { ...cmd, Job: cmd.Job ?? null });
      return;
    case "AllocUpdateDesiredTransition":
      updateDesiredTransitions(txn, cmd.Allocs, cmd.Evals);
      return;
  }
}
