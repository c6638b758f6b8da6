/**
 * One subscription's backlog and leases, with Pub/Sub's delivery semantics:
 * - a delivered message is leased for the ack deadline; an expired lease, a nack (ModifyAckDeadline
 *   to 0) or a failed push makes it deliverable again, after the retry policy's exponential backoff
 *   (immediately when the subscription has no retry policy);
 * - with a dead-letter policy, a message delivered `maxDeliveryAttempts` times and not acknowledged
 *   is forwarded to the dead-letter topic, and `deliveryAttempt` is reported (0 without the policy);
 * - with message ordering, messages with the same ordering key are delivered one at a time in
 *   publish order: the next one only after the previous was acknowledged (a redelivered message
 *   keeps its place ahead of the later ones).
 */
import type { MessagePredicate } from "../filter.ts";
import type { StoredMessage } from "./message.ts";

export interface RetryPolicyMs {
  readonly minimumBackoffMs: number;
  readonly maximumBackoffMs: number;
}

export interface DeadLetterPolicy {
  readonly deadLetterTopic: string;
  readonly maxDeliveryAttempts: number;
}

export interface SubscriptionConfig {
  readonly name: string;
  readonly topic: string;
  readonly ackDeadlineSeconds: number;
  readonly enableMessageOrdering: boolean;
  readonly filter: string;
  readonly accepts: MessagePredicate;
  readonly retryPolicy: RetryPolicyMs | undefined;
  readonly deadLetterPolicy: DeadLetterPolicy | undefined;
  readonly pushEndpoint: string | undefined;
  readonly pushOidc: { readonly serviceAccountEmail: string; readonly audience: string } | undefined;
  /** The Subscription message as created, echoed back by Get/CreateSubscription. */
  readonly resource: Record<string, unknown>;
}

/** Who received a leased message: a StreamingPull stream or the push deliverer, for flow control. */
export interface LeaseOwner {
  outstanding: number;
}

export interface Entry {
  readonly seq: number;
  readonly message: StoredMessage;
  /** Deliveries so far (the attempt being made once leased). */
  attempts: number;
  availableAt: number;
  ackId: string | undefined;
  deadline: number;
  owner: LeaseOwner | undefined;
}

export interface Delivery {
  readonly ackId: string;
  readonly message: StoredMessage;
  /** Pub/Sub reports the attempt only when the subscription has a dead-letter policy. */
  readonly deliveryAttempt: number;
}

export interface SubscriptionHooks {
  /** Called with a message that exhausted its delivery attempts. */
  deadLetter(subscription: SubscriptionQueue, message: StoredMessage, attempts: number): void;
  readonly now: () => number;
}

let ackCounter = 0;

export class SubscriptionQueue {
  readonly config: SubscriptionConfig;
  private readonly hooks: SubscriptionHooks;
  private pending: (Entry | undefined)[] = [];
  private head = 0;
  private live = 0;
  private readonly leased = new Map<string, Entry>();
  private readonly busyKeys = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private nextSeq = 0;
  private latestDelayedAt = 0;
  private lastTickAt = 0;
  /** What happened to this subscription's messages (counters for tests and ledgers). */
  readonly stats = { published: 0, acknowledged: 0, redelivered: 0, deadLettered: 0, filteredOut: 0 };

  constructor(config: SubscriptionConfig, hooks: SubscriptionHooks) {
    this.config = config;
    this.hooks = hooks;
  }

  /** Messages waiting for delivery (not leased). */
  get backlog(): number {
    return this.live;
  }

  /** Messages leased and not yet acknowledged. */
  get outstanding(): number {
    return this.leased.size;
  }

  /** Registers a callback run whenever messages may have become deliverable; returns an unsubscribe. */
  onAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Adds a newly published message (or acknowledges it at once when the filter rejects it). */
  enqueue(message: StoredMessage): void {
    if (!this.config.accepts(message.attributes)) {
      this.stats.filteredOut++;
      return;
    }
    this.stats.published++;
    this.pending.push({
      seq: this.nextSeq++,
      message,
      attempts: 0,
      availableAt: 0,
      ackId: undefined,
      deadline: 0,
      owner: undefined,
    });
    this.live++;
    this.notify();
  }

  /**
   * Leases up to `max` deliverable messages for `ackDeadlineSeconds` (the subscription's when
   * omitted) to `owner`.
   */
  take(max: number, owner?: LeaseOwner, ackDeadlineSeconds?: number): Delivery[] {
    const now = this.hooks.now();
    const deliveries: Delivery[] = [];
    const ordered = this.config.enableMessageOrdering;
    const blocked = ordered ? new Set(this.busyKeys) : undefined;
    const deadlineMs = (ackDeadlineSeconds ?? this.config.ackDeadlineSeconds) * 1000;
    for (let i = this.head; i < this.pending.length && deliveries.length < max; i++) {
      const entry = this.pending[i];
      if (!entry) continue;
      const key = entry.message.orderingKey;
      if (blocked && key !== "" && blocked.has(key)) continue;
      if (entry.availableAt > now) {
        if (blocked && key !== "") blocked.add(key);
        continue;
      }
      this.pending[i] = undefined;
      this.live--;
      entry.attempts++;
      entry.ackId = `${++ackCounter}`;
      entry.deadline = now + deadlineMs;
      entry.owner = owner;
      if (owner) owner.outstanding++;
      this.leased.set(entry.ackId, entry);
      if (blocked && key !== "") {
        blocked.add(key);
        this.busyKeys.add(key);
      }
      deliveries.push({
        ackId: entry.ackId,
        message: entry.message,
        deliveryAttempt: this.config.deadLetterPolicy ? entry.attempts : 0,
      });
    }
    this.compact();
    return deliveries;
  }

  private compact(): void {
    while (this.head < this.pending.length && this.pending[this.head] === undefined) this.head++;
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  private release(entry: Entry): void {
    if (entry.ackId) this.leased.delete(entry.ackId);
    entry.ackId = undefined;
    if (entry.owner) entry.owner.outstanding--;
    entry.owner = undefined;
    if (this.config.enableMessageOrdering && entry.message.orderingKey !== "") {
      this.busyKeys.delete(entry.message.orderingKey);
    }
  }

  /** Acknowledges leased messages; returns the ack IDs that were not (or no longer) leased. */
  acknowledge(ackIds: readonly string[]): string[] {
    const invalid: string[] = [];
    for (const ackId of ackIds) {
      const entry = this.leased.get(ackId);
      if (!entry) {
        invalid.push(ackId);
        continue;
      }
      this.release(entry);
      this.stats.acknowledged++;
    }
    // Flow control and ordering keys freed up: consumers may take more.
    if (invalid.length < ackIds.length) this.notify();
    return invalid;
  }

  /** Extends leases to `seconds` from now; 0 gives the messages back for redelivery (a nack). */
  modifyAckDeadline(ackIds: readonly string[], seconds: number): string[] {
    const invalid: string[] = [];
    const now = this.hooks.now();
    let returned = false;
    for (const ackId of ackIds) {
      const entry = this.leased.get(ackId);
      if (!entry) {
        invalid.push(ackId);
        continue;
      }
      if (seconds > 0) {
        entry.deadline = now + seconds * 1000;
      } else {
        this.giveBack(entry, now);
        returned = true;
      }
    }
    if (returned) this.notify();
    return invalid;
  }

  /** A delivery failed (nack, expired lease, push error): dead-letter it or queue it again. */
  giveBack(entry: Entry, now: number): void {
    this.release(entry);
    const policy = this.config.deadLetterPolicy;
    if (policy && entry.attempts >= policy.maxDeliveryAttempts) {
      this.stats.deadLettered++;
      this.hooks.deadLetter(this, entry.message, entry.attempts);
      return;
    }
    this.stats.redelivered++;
    entry.availableAt = now + this.backoffMs(entry.attempts);
    this.insertBySeq(entry);
  }

  private backoffMs(attempts: number): number {
    const policy = this.config.retryPolicy;
    if (!policy) return 0;
    return Math.min(policy.maximumBackoffMs, policy.minimumBackoffMs * 2 ** Math.max(0, attempts - 1));
  }

  private insertBySeq(entry: Entry): void {
    this.live++;
    // Scan back from the end for the first live entry published earlier (redeliveries are rare
    // next to first deliveries, and usually near the front only when the backlog is small).
    let at = this.pending.length;
    while (at > this.head) {
      const before = this.pending[at - 1];
      if (before && before.seq < entry.seq) break;
      at--;
    }
    if (at === this.head && this.head > 0) {
      this.head--;
      this.pending[this.head] = entry;
    } else {
      this.pending.splice(at, 0, entry);
    }
    if (entry.availableAt > this.latestDelayedAt) this.latestDelayedAt = entry.availableAt;
  }

  /** Expires leases past their deadline and wakes consumers when backed-off messages are due. */
  tick(): void {
    const now = this.hooks.now();
    let due = false;
    for (const entry of this.leased.values()) {
      if (entry.deadline <= now) {
        this.giveBack(entry, now);
        due = true;
      }
    }
    // Some backed-off message became due since the last tick.
    if (this.latestDelayedAt > this.lastTickAt) due = true;
    this.lastTickAt = now;
    if (due) this.notify();
  }

  /** Drops the backlog and every lease (DeleteSubscription). */
  clear(): void {
    for (const entry of [...this.leased.values()]) this.release(entry);
    this.pending = [];
    this.head = 0;
    this.live = 0;
    this.notify();
    this.listeners.clear();
  }
}
