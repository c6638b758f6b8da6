/**
 * Batch counting with whole batches: 25 messages in batches of 10 are 3 calls, not 2.5.
 *
 * `messagesPerWindow` is the average arriving in one batching window. Full batches are counted
 * whole; a remainder of at least one message is one more batch; a remainder below one (low traffic)
 * counts as that fraction, the probability that a window has a message at all. The result never
 * decreases with traffic and never increases with the batch size.
 */
export function batchesPerWindow(messagesPerWindow: number, batchSize: number): number {
  if (messagesPerWindow <= 0) return 0;
  const full = Math.floor(messagesPerWindow / batchSize);
  const remainder = messagesPerWindow - full * batchSize;
  return full + Math.min(1, remainder);
}

/**
 * Billed requests of batched calls whose payload is billed in 64 KiB chunks (SQS ReceiveMessage,
 * SNS PublishBatch): each call is `ceil(messages × bytes / 64 KiB)` requests, at least one.
 */
export function billedChunksPerWindow(
  messagesPerWindow: number,
  perCall: number,
  bytesPerMessage: number,
): number {
  if (messagesPerWindow <= 0) return 0;
  const chunkOf = (messages: number) => Math.max(1, Math.ceil((messages * bytesPerMessage) / 65_536));
  const full = Math.floor(messagesPerWindow / perCall);
  const remainder = messagesPerWindow - full * perCall;
  const tail = remainder <= 0 ? 0 : remainder < 1 ? remainder * chunkOf(1) : chunkOf(Math.ceil(remainder));
  return full * chunkOf(perCall) + tail;
}
