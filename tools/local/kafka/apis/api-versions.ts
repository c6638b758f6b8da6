/**
 * ApiVersions (key 18), v0–v3. v3 is "flexible" (compact array, tagged fields) and is what
 * librdkafka sends first. A request for a version above v3 gets the v0-shaped answer with
 * UNSUPPORTED_VERSION and the full table, which is how KIP-511 lets a client fall back.
 */
import type { Handler } from "../context.ts";
import { ApiKey, type ApiName, SUPPORTED_VERSIONS } from "../protocol/api-keys.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Writer } from "../protocol/writer.ts";

const TABLE = (Object.entries(SUPPORTED_VERSIONS) as [ApiName, readonly [number, number]][])
  .map(([name, [min, max]]) => ({ key: ApiKey[name], min, max }))
  .sort((a, b) => a.key - b.key);

export function writeApiVersionsResponse(w: Writer, version: number, errorCode: number): void {
  w.int16(errorCode);
  if (version >= 3) {
    w.compactArray(TABLE, (w, e) => w.int16(e.key).int16(e.min).int16(e.max).emptyTaggedFields());
    w.int32(0); // throttle_time_ms
    w.emptyTaggedFields();
    return;
  }
  w.array(TABLE, (w, e) => w.int16(e.key).int16(e.min).int16(e.max));
  if (version >= 1) w.int32(0);
}

export const apiVersions: Handler = (_ctx, _conn, header, r, w) => {
  if (header.apiVersion >= 3) {
    r.compactNullableString(); // client_software_name
    r.compactNullableString(); // client_software_version
    r.taggedFields();
  }
  writeApiVersionsResponse(w, header.apiVersion, ErrorCode.NONE);
};
