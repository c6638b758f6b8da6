/**
 * Parsing of the human units the CLI accepts (`100/s`, `1KB`, `24h`) into the workload's
 * unit-named numbers. Every error names the field and lists what is allowed.
 */

/** A bad input value; the message names the field and what is allowed. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

const RATE_UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  min: 60,
  minute: 60,
  h: 3_600,
  hour: 3_600,
  day: 86_400,
  month: 730 * 3_600,
};

/** Byte multipliers: SI (KB = 1,000) and IEC (KiB = 1,024), as the AWS size limits use KiB. */
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1_000,
  kib: 1_024,
  mb: 1_000_000,
  mib: 1_048_576,
  gb: 1_000_000_000,
  gib: 1_073_741_824,
};

const DURATION_UNITS: Record<string, number> = { m: 1 / 60, min: 1 / 60, h: 1, d: 24, day: 24, w: 168 };

const NUMBER = "([0-9]+(?:\\.[0-9]+)?(?:e[+-]?[0-9]+)?)";

function positive(field: string, raw: string, value: number, allowed: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InputError(`${field}: "${raw}" must be greater than zero (${allowed})`);
  }
  return value;
}

/**
 * Parses a message rate such as `100/s`, `6000/min`, `1.5e6/day` or `2.6e9/month` (730 h) into
 * messages per second. A bare number is read as per second.
 */
export function parseRate(raw: string, field = "--rate"): number {
  const allowed = "a positive number with /s, /min, /h, /day or /month, e.g. 100/s";
  const match = new RegExp(`^\\s*${NUMBER}\\s*(?:/\\s*([a-z]+))?\\s*$`, "i").exec(raw);
  if (!match) {
    if (/^\s*-/.test(raw)) throw new InputError(`${field}: "${raw}" must be greater than zero (${allowed})`);
    throw new InputError(`${field}: cannot read "${raw}" (${allowed})`);
  }
  const unit = (match[2] ?? "s").toLowerCase();
  const perUnit = RATE_UNITS[unit];
  if (perUnit === undefined) throw new InputError(`${field}: unknown rate unit "/${unit}" (${allowed})`);
  return positive(field, raw, Number(match[1]) / perUnit, allowed);
}

/**
 * Parses a size such as `1KB`, `64KiB`, `256 B`, `1MiB` into bytes. The unit is required: a bare
 * `1` would silently mean one byte where most people mean 1 KB.
 */
export function parseSize(raw: string, field = "--size"): number {
  const allowed = "a positive number with B, KB, KiB, MB, MiB, GB or GiB, e.g. 1KB";
  const match = new RegExp(`^\\s*${NUMBER}\\s*([a-z]*)\\s*$`, "i").exec(raw);
  if (!match) {
    if (/^\s*-/.test(raw)) throw new InputError(`${field}: "${raw}" must be greater than zero (${allowed})`);
    throw new InputError(`${field}: cannot read "${raw}" (${allowed})`);
  }
  if (!match[2]) {
    throw new InputError(
      `${field}: "${raw.trim()}" needs a unit: ${match[1]}B for bytes, ${match[1]}KB for kilobytes (${allowed})`,
    );
  }
  const unit = match[2].toLowerCase();
  const multiplier = SIZE_UNITS[unit];
  if (multiplier === undefined)
    throw new InputError(`${field}: unknown size unit "${match[2]}" (${allowed})`);
  return positive(field, raw, Math.ceil(Number(match[1]) * multiplier), allowed);
}

/** Parses a retention such as `24h`, `7d`, `90min`, `1w` into hours (a bare number is hours). */
export function parseDurationHours(raw: string, field = "--retention"): number {
  const allowed = "a positive number with min, h, d or w, e.g. 24h";
  const match = new RegExp(`^\\s*${NUMBER}\\s*([a-z]*)\\s*$`, "i").exec(raw);
  if (!match) {
    if (/^\s*-/.test(raw)) throw new InputError(`${field}: "${raw}" must be greater than zero (${allowed})`);
    throw new InputError(`${field}: cannot read "${raw}" (${allowed})`);
  }
  const unit = (match[2] || "h").toLowerCase();
  const hours = DURATION_UNITS[unit];
  if (hours === undefined) throw new InputError(`${field}: unknown duration unit "${match[2]}" (${allowed})`);
  return positive(field, raw, Number(match[1]) * hours, allowed);
}

/** Parses one of a fixed set of values, e.g. `--arch arm64`; the error lists the allowed ones. */
export function parseChoice<T extends string>(
  raw: string,
  field: string,
  what: string,
  allowed: readonly T[],
): T {
  const value = raw.trim() as T;
  if (!allowed.includes(value)) {
    throw new InputError(`${field}: "${raw}" is not ${what} (allowed: ${allowed.join(", ")})`);
  }
  return value;
}

/** Parses a whole number within bounds, e.g. `--fan-out 3`. */
export function parseInteger(raw: string, field: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\s*-?[0-9]+\s*$/.test(raw) || value < min || value > max) {
    throw new InputError(`${field}: "${raw}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Parses a number within bounds, e.g. `--match 0.25` or `--reserved-discount 0.3`. */
export function parseNumber(raw: string, field: string, min: number, max: number): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new InputError(`${field}: "${raw}" must be a number from ${min} to ${max}`);
  }
  return value;
}

/** Formats a rate in messages per second for labels: `10/s`, `1,000/s`, `0.5/s`. */
export function formatRate(perSecond: number): string {
  return `${perSecond.toLocaleString("en-US", { maximumFractionDigits: 2 })}/s`;
}

/** Formats a byte count: `1 KB` for round SI sizes, else IEC (`1 KiB`, `62.5 KiB`). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_000 && bytes % 1_000_000 === 0) return `${bytes / 1_000_000} MB`;
  if (bytes >= 1_000 && bytes % 1_000 === 0 && bytes % 1_024 !== 0) return `${bytes / 1_000} KB`;
  if (bytes < 1_024) return `${bytes} B`;
  if (bytes < 1_048_576) return `${Number((bytes / 1_024).toFixed(1))} KiB`;
  return `${Number((bytes / 1_048_576).toFixed(1))} MiB`;
}
