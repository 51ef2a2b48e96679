/** Nomad's JSON carries every duration as integer nanoseconds (Go's time.Duration). */
export const NS_PER_MS = 1_000_000;
export const NS_PER_SECOND = 1_000_000_000;
export const NS_PER_MINUTE = 60 * NS_PER_SECOND;
export const NS_PER_HOUR = 60 * NS_PER_MINUTE;

export const seconds = (n: number): number => n * NS_PER_SECOND;
export const minutes = (n: number): number => n * NS_PER_MINUTE;
export const hours = (n: number): number => n * NS_PER_HOUR;
