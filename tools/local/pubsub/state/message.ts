/** A published message as stored by the emulator, in the proto-loader shape of `PubsubMessage`. */
export interface StoredMessage {
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageId: string;
  readonly publishTime: { readonly seconds: string; readonly nanos: number };
  readonly orderingKey: string;
}

/** A protobuf Timestamp for `ms` (epoch milliseconds). */
export function timestamp(ms: number): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

/** Milliseconds of a protobuf Duration (`{ seconds: "10", nanos: 0 }`), or undefined when unset. */
export function durationMs(
  duration: { seconds?: string | number; nanos?: number } | null | undefined,
): number | undefined {
  if (!duration) return undefined;
  return Number(duration.seconds ?? 0) * 1000 + Math.floor((duration.nanos ?? 0) / 1_000_000);
}
