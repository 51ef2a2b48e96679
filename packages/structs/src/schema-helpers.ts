import { z } from "zod";

// Nomad's Go structs serialise nil slices, maps and pointers as JSON `null`, and the api
// package omits unset pointer fields entirely. Every collection therefore accepts null or
// absence and canonicalises to an empty value, so callers never branch on both forms.

/** A list that may arrive as null or be absent; canonical form is an array. */
export function list<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((v): z.output<T>[] => v ?? []);
}

/** A string-keyed map that may arrive as null or be absent; canonical form is an object. */
export function dict<T extends z.ZodType>(value: T) {
  return z
    .record(z.string(), value)
    .nullish()
    .transform((v): Record<string, z.output<T>> => v ?? {});
}

/** A string field that may be absent or null; canonical form is the given default. */
export function str(fallback = "") {
  return z
    .string()
    .nullish()
    .transform((v) => v ?? fallback);
}

/** An integer field with a default applied when absent or null. */
export function int(fallback: number) {
  return z
    .number()
    .int()
    .nullish()
    .transform((v) => v ?? fallback);
}

/** A boolean field with a default applied when absent or null. */
export function bool(fallback = false) {
  return z
    .boolean()
    .nullish()
    .transform((v) => v ?? fallback);
}

/** A number (not necessarily an integer: timestamps beyond 2^53 lose precision in JSON anyway). */
export function num(fallback = 0) {
  return z
    .number()
    .nullish()
    .transform((v) => v ?? fallback);
}

/** An optional nested object: null stays null so "not set" survives canonicalisation. */
export function maybe<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v): z.output<T> | null => v ?? null);
}

/** A free-form map of strings (Meta, Env, Attributes). */
export const stringMap = dict(z.string());

/**
 * `Omit<T, keyof R> & R` that keeps T's known keys even when T has an index signature
 * (loose schemas pass unknown fields through; plain `Omit` would collapse to the signature).
 */
export type Replace<T, R> = { [K in keyof T as K extends keyof R ? never : K]: T[K] } & R;
