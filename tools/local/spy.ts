/**
 * Everything that happens in the embedded cloud, as events a test or a scenario can wait on:
 * SQS sends, receives (by event source mappings), deletes and DLQ moves, SNS publishes, and every
 * Lambda invocation with its result.
 */
export type SpyEvent =
  | {
      readonly kind: "sqs.send";
      readonly queueName: string;
      readonly messageId: string;
      readonly body: string;
      readonly at: number;
    }
  | {
      readonly kind: "sqs.delete";
      readonly queueName: string;
      readonly messageId: string;
      readonly at: number;
    }
  | {
      readonly kind: "sqs.dlq";
      /** The source queue the message was moved from after `maxReceiveCount` receives. */
      readonly queueName: string;
      readonly messageId: string;
      readonly body: string;
      readonly at: number;
    }
  | {
      readonly kind: "sqs.receive";
      readonly queueName: string;
      readonly messageIds: readonly string[];
      readonly mapping: string;
      readonly at: number;
    }
  | {
      readonly kind: "sns.publish";
      readonly topicName: string;
      readonly messageId: string;
      readonly body: string;
      readonly at: number;
    }
  | {
      readonly kind: "sns.subscription-dlq";
      readonly subscription: string;
      readonly messageId: string;
      readonly reason: string;
      readonly at: number;
    }
  | {
      readonly kind: "lambda.invoke";
      readonly functionLogicalId: string;
      readonly functionName: string;
      readonly requestId: string;
      /** `api` (Invoke API / `handle.invoke`) or the logical ID of the event source mapping. */
      readonly source: string;
      readonly payload: string;
      readonly at: number;
    }
  | {
      readonly kind: "lambda.result";
      readonly functionLogicalId: string;
      readonly functionName: string;
      readonly requestId: string;
      readonly source: string;
      readonly ok: boolean;
      readonly payload?: string;
      readonly errorType?: string;
      readonly errorMessage?: string;
      readonly durationMs: number;
      readonly coldStart: boolean;
      readonly at: number;
    }
  | {
      /** Records an event source mapping's `FilterCriteria` rejected: deleted without an invocation. */
      readonly kind: "esm.filtered";
      readonly mapping: string;
      readonly queueName: string;
      readonly messageIds: readonly string[];
      readonly at: number;
    }
  | {
      readonly kind: "esm.batch";
      readonly mapping: string;
      readonly queueName: string;
      readonly size: number;
      /** `success`, `partial` (some records failed) or `failure` (the whole batch is retried). */
      readonly outcome: "success" | "partial" | "failure";
      readonly failedMessageIds: readonly string[];
      readonly deletedMessageIds: readonly string[];
      /**
       * FIFO only: records reported as processed after an earlier record of their group failed.
       * Lambda deletes them, so they overtake the failed record (the handler is not FIFO-aware).
       */
      readonly fifoOrderViolations?: readonly string[];
      readonly reason?: string;
      readonly at: number;
    };

/** The `kind` of a spy event. */
export type SpyEventKind = SpyEvent["kind"];

/** Narrows a spy event by its kind. */
export type SpyEventOf<K extends SpyEventKind> = Extract<SpyEvent, { kind: K }>;

/**
 * An in-memory log of {@link SpyEvent}s with counters. Keeps the last `capacity` events (older ones
 * are dropped; the counters keep counting), so a long benchmark does not grow without bound.
 */
export class Spy {
  private buffer: SpyEvent[] = [];
  private readonly counters = new Map<SpyEventKind, number>();
  private readonly listeners = new Set<(event: SpyEvent) => void>();

  constructor(private readonly capacity = 10_000) {}

  /** Records an event (used by the cloud itself). */
  record(event: SpyEvent): void {
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) this.buffer = this.buffer.slice(-Math.floor(this.capacity / 2));
    this.counters.set(event.kind, (this.counters.get(event.kind) ?? 0) + 1);
    for (const listener of this.listeners) listener(event);
  }

  /** Every retained event, oldest first, optionally of one kind. */
  events<K extends SpyEventKind>(kind?: K): SpyEventOf<K>[] {
    return (kind ? this.buffer.filter((e) => e.kind === kind) : [...this.buffer]) as SpyEventOf<K>[];
  }

  /** The first retained event of `kind` matching `predicate`, or undefined. */
  find<K extends SpyEventKind>(kind: K, predicate: (event: SpyEventOf<K>) => boolean = () => true) {
    return this.buffer.find((e): e is SpyEventOf<K> => e.kind === kind && predicate(e as SpyEventOf<K>));
  }

  /** Retained events of `kind` matching `predicate`. */
  filter<K extends SpyEventKind>(kind: K, predicate: (event: SpyEventOf<K>) => boolean = () => true) {
    return this.buffer.filter((e): e is SpyEventOf<K> => e.kind === kind && predicate(e as SpyEventOf<K>));
  }

  /** How many events of `kind` were recorded since start (or the last `clear`), retained or not. */
  count(kind: SpyEventKind): number {
    return this.counters.get(kind) ?? 0;
  }

  /** Calls `listener` for every new event; returns the unsubscribe function. */
  on(listener: (event: SpyEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets retained events and counters. */
  clear(): void {
    this.buffer = [];
    this.counters.clear();
  }
}
