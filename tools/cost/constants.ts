/** Calendar and size constants shared by every alternative. */

/** AWS prices a month as 730 hours. */
export const HOURS_PER_MONTH = 730;
/** Seconds in a 730-hour month. */
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3_600;
/** AWS bills data in GB of 2^30 bytes; Google Cloud says GiB for the same. */
export const GIB = 1_073_741_824;
/** 2^40 bytes. */
export const TIB = 1_099_511_627_776;
/** SNS, SQS and EventBridge bill every 64 KiB chunk of a payload as one request/event. */
export const CHUNK_64KIB = 65_536;
/** Kinesis provisioned PUT payload unit: 25 KiB. */
export const KINESIS_PUT_UNIT_BYTES = 25 * 1_024;
/** Kinesis on-demand rounds every record up to 1 KiB. */
export const KINESIS_ON_DEMAND_RECORD_BYTES = 1_024;
/** DynamoDB on-demand: one write request unit per 1 KiB written. */
export const DYNAMODB_WRITE_UNIT_BYTES = 1_024;

/** Number of 64 KiB chunks a payload is billed as (at least one). */
export function chunks64(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / CHUNK_64KIB));
}
