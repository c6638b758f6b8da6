/**
 * Idempotent producers (KIP-98): producer ids, epochs and per-partition sequence numbers.
 *
 * A batch whose sequence range repeats one of the last five appended for that producer and
 * partition is a retry: it is acknowledged with its original offset and not appended again.
 * A gap in sequence numbers is OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch is
 * INVALID_PRODUCER_EPOCH.
 */
import { ErrorCode } from "../protocol/errors.ts";

interface CachedBatch {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly baseOffset: number;
}

interface SequenceState {
  epoch: number;
  recent: CachedBatch[];
}

export type SequenceCheck =
  | { readonly kind: "append" }
  | { readonly kind: "duplicate"; readonly baseOffset: number }
  | { readonly kind: "error"; readonly code: number };

export class ProducerState {
  private nextProducerId = 1000;
  private readonly epochs = new Map<number, number>();
  private readonly sequences = new Map<string, SequenceState>();

  /** InitProducerId without a transactional id: a fresh producer id, epoch 0. */
  allocate(): { producerId: number; epoch: number } {
    const producerId = this.nextProducerId++;
    this.epochs.set(producerId, 0);
    return { producerId, epoch: 0 };
  }

  check(
    partitionKey: string,
    producerId: number,
    epoch: number,
    firstSeq: number,
    count: number,
  ): SequenceCheck {
    if (producerId < 0 || firstSeq < 0) return { kind: "append" };
    if (!this.epochs.has(producerId)) return { kind: "error", code: ErrorCode.UNKNOWN_PRODUCER_ID };
    const key = `${producerId}\u0000${partitionKey}`;
    const state = this.sequences.get(key);
    const lastSeq = firstSeq + count - 1;
    if (state === undefined || epoch > state.epoch) {
      return firstSeq === 0
        ? { kind: "append" }
        : { kind: "error", code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    if (epoch < state.epoch) return { kind: "error", code: ErrorCode.INVALID_PRODUCER_EPOCH };
    const dup = state.recent.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: "duplicate", baseOffset: dup.baseOffset };
    const last = state.recent.at(-1);
    if (last !== undefined && firstSeq !== (last.lastSeq + 1) % 2 ** 31) {
      return { kind: "error", code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    return { kind: "append" };
  }

  record(
    partitionKey: string,
    producerId: number,
    epoch: number,
    firstSeq: number,
    count: number,
    baseOffset: number,
  ) {
    if (producerId < 0 || firstSeq < 0) return;
    const key = `${producerId}\u0000${partitionKey}`;
    let state = this.sequences.get(key);
    if (state === undefined || epoch > state.epoch) {
      state = { epoch, recent: [] };
      this.sequences.set(key, state);
    }
    state.recent.push({ firstSeq, lastSeq: firstSeq + count - 1, baseOffset });
    if (state.recent.length > 5) state.recent.shift();
  }
}
