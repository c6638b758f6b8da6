import { randomUUID } from "node:crypto";
import {
  ListQueueTagsCommand,
  type SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
} from "@aws-sdk/client-sqs";
import { RedriveInputError } from "./errors.ts";

/** The queue tag that marks a DLQ as being redriven: `<token> <expiry ISO time> <holder>`. */
export const LOCK_TAG = "redrive-lock";

/** A held redrive lock: renew it while working, release it when done. */
export interface RedriveLock {
  readonly token: string;
  /** Pushes the expiry forward; throws if another run has taken the lock meanwhile. */
  renew(): Promise<void>;
  /** Removes the tag if it is still ours. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long the lock lives without renewal, so a crashed run never blocks the DLQ for good. @default 60000 */
  readonly ttlMs?: number;
  /** Shown to a second run that finds the lock. @default `pid@hostname` style string from the caller */
  readonly holder?: string;
  readonly now?: () => number;
}

function parse(value: string | undefined): { token: string; expiresAt: number; holder: string } | undefined {
  if (!value) return undefined;
  const [token = "", expires = "", ...holder] = value.split(" ");
  const expiresAt = Date.parse(expires);
  return Number.isNaN(expiresAt) ? undefined : { token, expiresAt, holder: holder.join(" ") };
}

/**
 * Takes the redrive lock of a DLQ, a tag on the queue itself, so two redrives of the same DLQ refuse to run
 * together wherever they are started from (two laptops, a laptop and the scheduled redrive function): two
 * movers would each receive part of the queue and report wrong counts, and two move tasks are refused by SQS
 * anyway. It needs only sqs:TagQueue/UntagQueue/ListQueueTags. Tags have no compare-and-set, so the lock
 * writes a random token and reads it back: of two runs racing within the same instant, the one whose token
 * survives wins and the other stops before moving anything. It is best effort, not mutual exclusion: two runs
 * that both read "free" and both read back their own token before the other's write lands (or a lagging tag
 * read) both start; the next renewal (every ttl/3) sees the other token and stops one of them. Nothing is lost
 * meanwhile, because every move sends before it deletes; only the counts of the two reports are split.
 * A lock expires after `ttlMs` without renewal.
 */
export async function acquireLock(
  sqs: SQSClient,
  queueUrl: string,
  options: LockOptions = {},
): Promise<RedriveLock> {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const holder = options.holder ?? "redrive";
  const token = randomUUID();
  const read = async () =>
    parse((await sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags?.[LOCK_TAG]);
  const write = () =>
    sqs.send(
      new TagQueueCommand({
        QueueUrl: queueUrl,
        Tags: { [LOCK_TAG]: `${token} ${new Date(now() + ttlMs).toISOString()} ${holder}` },
      }),
    );
  const refuse = (held: { expiresAt: number; holder: string }) =>
    new RedriveInputError(
      "lock",
      `another redrive of ${queueUrl} is running (${held.holder || "unknown holder"}, lock until ${new Date(held.expiresAt).toISOString()}); wait for it to finish, or remove the queue tag ${LOCK_TAG} if it crashed`,
    );

  const existing = await read();
  if (existing && existing.expiresAt > now()) throw refuse(existing);
  await write();
  const check = await read();
  if (!check || check.token !== token) throw refuse(check ?? { expiresAt: now() + ttlMs, holder: "" });
  return {
    token,
    async renew() {
      const current = await read();
      if (current && current.token !== token && current.expiresAt > now()) throw refuse(current);
      await write();
    },
    async release() {
      const current = await read();
      if (current?.token === token)
        await sqs.send(new UntagQueueCommand({ QueueUrl: queueUrl, TagKeys: [LOCK_TAG] }));
    },
  };
}
