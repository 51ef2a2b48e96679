/** Options every read accepts; blocking queries use `index` and `wait`. */
export interface QueryOptions {
  /** Region to answer from (`?region=`); defaults to the client's region. */
  region?: string;
  /** Namespace (`?namespace=`); `*` lists every namespace. Defaults to the client's namespace. */
  namespace?: string;
  /** ID prefix filter of list endpoints (`?prefix=`). */
  prefix?: string;
  /** go-bexpr filter of list endpoints (`?filter=`). */
  filter?: string;
  /** Block until the answer's index is greater than this (`?index=`). */
  index?: number;
  /** Longest time to block: milliseconds (number) or a Go duration (`"5m"`). */
  wait?: number | string;
  /** Let any server answer from its own state (`?stale`). */
  stale?: boolean;
  /** Extra query parameters, sent as given. */
  params?: Record<string, string | number | boolean | undefined>;
  /** Cancels the request (and a blocking query's wait). */
  signal?: AbortSignal;
}

/** Options every write accepts. */
export interface WriteOptions {
  region?: string;
  namespace?: string;
  params?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

/** From the `X-Nomad-Index`, `X-Nomad-KnownLeader` and `X-Nomad-LastContact` headers. */
export interface QueryMeta {
  /** Raft index the answer reflects; 0 when the header is absent. */
  index: number;
  knownLeader: boolean;
  /** Milliseconds since the answering server last heard from the leader. */
  lastContact: number;
  /** `X-Nomad-NextToken`, set while more pages exist. */
  nextToken?: string;
}

/** The answer of a read: the decoded body and the blocking-query metadata. */
export interface QueryResult<T> {
  value: T;
  meta: QueryMeta;
}

/** How a NomadApi reaches its agent. */
export interface NomadApiOptions {
  /** `http://host:port`; default `NOMAD_ADDR`, else `http://127.0.0.1:4646`. */
  address?: string;
  /** Default `NOMAD_REGION`. */
  region?: string;
  /** Default `NOMAD_NAMESPACE`. */
  namespace?: string;
  /** ACL token sent as `X-Nomad-Token`; default `NOMAD_TOKEN`. */
  token?: string;
  /** Environment to read the defaults from (tests); default `process.env`. */
  env?: Record<string, string | undefined>;
  /** fetch implementation (tests); default the global fetch. */
  fetch?: typeof fetch;
}
