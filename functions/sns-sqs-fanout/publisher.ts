/**
 * The publisher's logic: wraps domain events in CloudEvents 1.0, publishes them to the topic with
 * SNS `PublishBatch`, and reports every entry as published or failed (never drops one silently).
 */
import { randomUUID } from "node:crypto";
import {
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  type PublishBatchResponse,
  type SNSClient,
} from "@aws-sdk/client-sns";
import * as z from "zod";
import { buildCloudEvent } from "../shared/cloudevents.js";
import { PermanentError } from "../shared/errors.js";
import {
  chunkEntries,
  entrySizeBytes,
  MAX_BATCH_BYTES,
  MAX_BATCH_ENTRIES,
  takeFifoCall,
} from "./publish-batches.js";

/**
 * Raw message delivery carries at most 10 message attributes: SNS discards a message with more as a
 * client error (to the subscription DLQ, if any) for every raw-delivery subscriber (FAN-06).
 */
export const RAW_DELIVERY_MAX_MESSAGE_ATTRIBUTES = 10;

/** SNS message attribute names: letters, digits, `_`, `-`, `.`; no `AWS.`/`Amazon.` prefix, no `..`, ≤ 256. */
const AttributeNameSchema = z
  .string()
  .regex(/^(?!aws\.|amazon\.)(?!\.)(?!.*\.\.)(?!.*\.$)[\w.-]{1,256}$/i, {
    message: "not a valid SNS message attribute name",
  })
  .refine((name) => name !== "type", { message: "`type` is set by the publisher from the event type" });

/** The publisher's input (Lambda event). */
export const PublishRequestSchema = z.object({
  events: z.array(
    z.object({
      type: z.string().min(1),
      data: z.record(z.string(), z.unknown()),
      /** Caller-chosen id: republishing it lets consumers deduplicate. @default random UUID */
      id: z.string().min(1).max(128).optional(),
      subject: z.string().min(1).optional(),
      correlationid: z.string().min(1).optional(),
      /** FIFO topics only: message group. @default subject ?? type */
      groupId: z.string().min(1).max(128).optional(),
      /**
       * Extra String message attributes (for subscription filter policies); `type` is always set
       * from the event type and cannot be given here. @default none
       */
      attributes: z.record(AttributeNameSchema, z.string().min(1)).optional(),
    }),
  ),
});

/** Input of the publisher. */
export type PublishRequest = z.input<typeof PublishRequestSchema>;

/** One entry SNS did not accept (or that was rejected before calling SNS). */
export interface FailedEntry {
  readonly id: string;
  /** SNS error code, `EntryTooLarge`, or the SDK error name when the whole call failed. */
  readonly code: string;
  readonly message: string;
  /** True when retrying the same entry cannot succeed (the request itself is wrong). */
  readonly senderFault: boolean;
}

/** Result of one publisher invocation: every input event appears in exactly one list. */
export interface PublishResult {
  readonly published: Array<{ id: string; messageId: string }>;
  readonly failed: FailedEntry[];
}

/** Dependencies of {@link createPublisher}. */
export interface PublisherOptions {
  readonly sns: SNSClient;
  /** A topic ARN ending in `.fifo` is a FIFO topic: group and deduplication ids are set. */
  readonly topicArn: string;
  /** CloudEvents `source`. */
  readonly source: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
  /** @default MAX_BATCH_ENTRIES (10) */
  readonly maxBatchEntries?: number;
  /** @default MAX_BATCH_BYTES (262,144) */
  readonly maxBatchBytes?: number;
  /**
   * Most message attributes (including `type`) an entry may carry; entries with more fail with
   * `TooManyMessageAttributes` before any call. Raise it only for a topic that has no raw-delivery
   * subscriber (the fan-out example has two).
   * @default RAW_DELIVERY_MAX_MESSAGE_ATTRIBUTES (10)
   */
  readonly maxMessageAttributes?: number;
}

/**
 * Returns `publish(request)`. Invalid input throws a `PermanentError` (`SchemaViolation`) before
 * anything is published. Entries above 256 KiB fail with `EntryTooLarge`, and entries with more than
 * `maxMessageAttributes` attributes with `TooManyMessageAttributes`, before any call; a call
 * that throws (after the SDK's own retries) fails all of its entries with the error's name.
 *
 * On a FIFO topic, order per message group is the point: once an entry of a group has failed, the
 * later entries of that group in this request are not sent (they fail with `PreviousEntryFailed`),
 * so a caller that retries the failed entries in order never has them overtaken. Because SNS
 * processes the entries of one call independently, a call carries at most one entry per message
 * group, so no entry is ever sent after a failed one of its group, inside a call or across calls
 * (`takeFifoCall`; a request whose entries share one group takes one call per entry).
 */
export function createPublisher(options: PublisherOptions): (request: unknown) => Promise<PublishResult> {
  const { sns, topicArn, source, clock, newId = randomUUID } = options;
  const maxBytes = options.maxBatchBytes ?? MAX_BATCH_BYTES;
  const maxAttributes = options.maxMessageAttributes ?? RAW_DELIVERY_MAX_MESSAGE_ATTRIBUTES;
  const fifo = topicArn.endsWith(".fifo");

  return async (request) => {
    const parsed = PublishRequestSchema.safeParse(request);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
      throw new PermanentError("SchemaViolation", `invalid publish request: ${detail.join("; ")}`);
    }
    const published: PublishResult["published"] = [];
    const failed: FailedEntry[] = [];
    const idsByEntry = new Map<string, string>();
    const entries: PublishBatchRequestEntry[] = [];

    const blockedGroups = new Set<string>();
    const fail = (entry: PublishBatchRequestEntry, failure: Omit<FailedEntry, "id">) => {
      failed.push({ id: idsByEntry.get(entry.Id as string) as string, ...failure });
      if (entry.MessageGroupId !== undefined) blockedGroups.add(entry.MessageGroupId);
    };

    parsed.data.events.forEach((input, index) => {
      const event = buildCloudEvent(input, { source, clock, newId });
      const entry: PublishBatchRequestEntry = {
        Id: `e${index}`,
        Message: JSON.stringify(event),
        MessageAttributes: {
          ...Object.fromEntries(
            Object.entries(input.attributes ?? {}).map(([name, value]) => [
              name,
              { DataType: "String", StringValue: value },
            ]),
          ),
          type: { DataType: "String", StringValue: event.type },
        },
        ...(fifo
          ? { MessageGroupId: input.groupId ?? input.subject ?? input.type, MessageDeduplicationId: event.id }
          : {}),
      };
      const attributeCount = Object.keys(entry.MessageAttributes ?? {}).length;
      if (attributeCount > maxAttributes) {
        failed.push({
          id: event.id,
          code: "TooManyMessageAttributes",
          message: `message has ${attributeCount} message attributes (type included); raw message delivery carries at most ${maxAttributes} and SNS would discard it for raw subscribers`,
          senderFault: true,
        });
        if (entry.MessageGroupId !== undefined) blockedGroups.add(entry.MessageGroupId);
        return;
      }
      const size = entrySizeBytes(entry);
      if (size > maxBytes) {
        failed.push({
          id: event.id,
          code: "EntryTooLarge",
          message: `message is ${size} bytes with attributes; SNS allows ${maxBytes}`,
          senderFault: true,
        });
        if (entry.MessageGroupId !== undefined) blockedGroups.add(entry.MessageGroupId);
        return;
      }
      if (entry.MessageGroupId !== undefined && blockedGroups.has(entry.MessageGroupId)) {
        failed.push({ id: event.id, ...previousEntryFailed(entry) });
        return;
      }
      idsByEntry.set(entry.Id as string, event.id);
      entries.push(entry);
    });

    const limits = { maxEntries: options.maxBatchEntries ?? MAX_BATCH_ENTRIES, maxBytes };
    const sendCall = async (chunk: PublishBatchRequestEntry[]) => {
      let response: PublishBatchResponse;
      try {
        response = await sns.send(
          new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: chunk }),
        );
      } catch (error) {
        const e = error as Error & { $fault?: string };
        for (const entry of chunk) {
          fail(entry, { code: e.name, message: e.message, senderFault: e.$fault === "client" });
        }
        return;
      }
      const byId = new Map(chunk.map((entry) => [entry.Id as string, entry]));
      const answered = new Set<string>();
      for (const ok of response.Successful ?? []) {
        const id = ok.Id === undefined ? undefined : idsByEntry.get(ok.Id);
        if (id === undefined || ok.MessageId === undefined) continue;
        answered.add(ok.Id as string);
        published.push({ id, messageId: ok.MessageId });
      }
      for (const ko of response.Failed ?? []) {
        const entry = ko.Id === undefined ? undefined : byId.get(ko.Id);
        if (entry === undefined) continue;
        answered.add(ko.Id as string);
        fail(entry, {
          code: ko.Code ?? "Unknown",
          message: ko.Message ?? "",
          senderFault: ko.SenderFault ?? false,
        });
      }
      for (const entry of chunk) {
        if (answered.has(entry.Id as string)) continue;
        fail(entry, {
          code: "MissingFromResponse",
          message: "PublishBatch returned neither success nor failure for this entry",
          senderFault: false,
        });
      }
    };

    if (!fifo) {
      for (const chunk of chunkEntries(entries, limits)) await sendCall(chunk);
    } else {
      // One entry per message group per call, calls one after the other (see takeFifoCall).
      const pending = [...entries];
      while (pending.length > 0) {
        const chunk = takeFifoCall(pending, limits);
        await sendCall(chunk);
        for (let i = 0; i < pending.length; ) {
          const entry = pending[i] as PublishBatchRequestEntry;
          if (blockedGroups.has(entry.MessageGroupId as string)) {
            pending.splice(i, 1);
            failed.push({ id: idsByEntry.get(entry.Id as string) as string, ...previousEntryFailed(entry) });
          } else {
            i++;
          }
        }
      }
    }
    return { published, failed };
  };
}

function previousEntryFailed(entry: PublishBatchRequestEntry): Omit<FailedEntry, "id"> {
  return {
    code: "PreviousEntryFailed",
    message: `an earlier entry of message group ${entry.MessageGroupId} failed; not sent, to keep the group's order`,
    senderFault: false,
  };
}
