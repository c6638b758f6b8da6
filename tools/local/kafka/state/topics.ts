/** The broker's topics: name → partitions, with Kafka's topic-name rules. */
import { PartitionLog, type RetentionOptions } from "./partition-log.ts";

export interface Topic {
  readonly name: string;
  readonly partitions: readonly PartitionLog[];
}

/** Kafka's legal topic names: 1–249 characters of ASCII letters, digits, '.', '_' and '-', not "." or "..". */
export function isValidTopicName(name: string): boolean {
  return /^[a-zA-Z0-9._-]{1,249}$/.test(name) && name !== "." && name !== "..";
}

export class TopicRegistry {
  private readonly topics = new Map<string, Topic>();
  private readonly appendListeners = new Set<(log: PartitionLog) => void>();

  constructor(private readonly retention: RetentionOptions) {}

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(name: string, index: number): PartitionLog | undefined {
    return this.topics.get(name)?.partitions[index];
  }

  list(): Topic[] {
    return [...this.topics.values()];
  }

  create(name: string, partitions: number, retention: RetentionOptions = {}): Topic {
    const merged = { ...this.retention, ...retention };
    const topic: Topic = {
      name,
      partitions: Array.from({ length: partitions }, (_, i) => new PartitionLog(name, i, merged)),
    };
    this.topics.set(name, topic);
    return topic;
  }

  delete(name: string): boolean {
    return this.topics.delete(name);
  }

  /** Called after every append: wakes Fetch requests waiting for data. */
  onAppend(listener: (log: PartitionLog) => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  notifyAppend(log: PartitionLog): void {
    for (const listener of [...this.appendListeners]) listener(log);
  }
}
