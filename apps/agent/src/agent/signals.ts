// Signal delivery behind a seam, so the agent's reactions are testable in-process.

export type AgentSignal = "SIGINT" | "SIGTERM" | "SIGHUP" | "SIGPIPE";

export interface SignalSource {
  on(signal: AgentSignal, listener: () => void): void;
  off(signal: AgentSignal, listener: () => void): void;
}

export const processSignals: SignalSource = {
  on: (signal, listener) => process.on(signal, listener),
  off: (signal, listener) => process.off(signal, listener),
};

/** How Go prints each signal in `==> Caught signal: <name>`. */
export const SIGNAL_NAMES: Readonly<Record<AgentSignal, string>> = {
  SIGINT: "interrupt",
  SIGTERM: "terminated",
  SIGHUP: "hangup",
  SIGPIPE: "broken pipe",
};
