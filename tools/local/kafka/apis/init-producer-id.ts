/**
 * InitProducerId (key 22, v0–v1) for idempotent producers. Transactions are not supported: a
 * transactional id gets INVALID_REQUEST.
 */
import type { Handler } from "../context.ts";
import { ErrorCode } from "../protocol/errors.ts";

export const initProducerId: Handler = (ctx, _conn, _header, r, w) => {
  const transactionalId = r.nullableString();
  r.int32(); // transaction_timeout_ms
  w.int32(0);
  if (transactionalId !== null) {
    w.int16(ErrorCode.INVALID_REQUEST).int64(-1).int16(-1);
    return;
  }
  const { producerId, epoch } = ctx.producers.allocate();
  w.int16(ErrorCode.NONE).int64(producerId).int16(epoch);
};
