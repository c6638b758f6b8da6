import { describe, expect, it } from "vitest";
import {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
} from "../../../tools/local/services/eventbridge-pattern.ts";

/** The EC2 state-change event of the EventBridge user guide's pattern examples. */
const EC2_EVENT = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: {
    "instance-id": "i-1234567890abcdef0",
    state: "terminated",
    "source-ip": "10.0.0.7",
    c: { count: 5, ratio: 0.5 },
    tags: ["blue", "prod"],
    nothing: null,
  },
};

const cases: [string, unknown, boolean][] = [
  [
    "exact source and detail-type",
    { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
    true,
  ],
  ["exact: another source", { source: ["aws.s3"] }, false],
  ["any of the values", { detail: { state: ["running", "terminated"] } }, true],
  ["any of: none", { detail: { state: ["running", "stopped"] } }, false],
  ["exact is case-sensitive", { detail: { state: ["Terminated"] } }, false],
  ["nested field", { detail: { c: { count: [5] } } }, true],
  ["number equality is numeric (5 = 5.0)", { detail: { c: { count: [5.0] } } }, true],
  ["a string never matches a number", { detail: { c: { count: ["5"] } } }, false],
  ["null matches null", { detail: { nothing: [null] } }, true],
  ["null does not match a missing field", { detail: { missing: [null] } }, false],
  ["array field: any element", { detail: { tags: ["prod"] } }, true],
  ["array field: no element", { detail: { tags: ["dev"] } }, false],
  ["prefix", { detail: { "instance-id": [{ prefix: "i-1234" }] } }, true],
  ["prefix: no", { detail: { "instance-id": [{ prefix: "i-9" }] } }, false],
  ["prefix equals-ignore-case", { detail: { state: [{ prefix: { "equals-ignore-case": "TERM" } }] } }, true],
  ["suffix", { detail: { state: [{ suffix: "nated" }] } }, true],
  ["suffix: no", { detail: { state: [{ suffix: "ning" }] } }, false],
  ["suffix equals-ignore-case", { detail: { state: [{ suffix: { "equals-ignore-case": "NATED" } }] } }, true],
  ["equals-ignore-case", { detail: { state: [{ "equals-ignore-case": "TERMINATED" }] } }, true],
  ["equals-ignore-case: no", { detail: { state: [{ "equals-ignore-case": "RUNNING" }] } }, false],
  ["wildcard", { detail: { "instance-id": [{ wildcard: "i-*cdef0" }] } }, true],
  ["wildcard in the middle", { resources: [{ wildcard: "arn:aws:ec2:*:instance/*" }] }, true],
  ["wildcard: no", { detail: { "instance-id": [{ wildcard: "i-*xyz" }] } }, false],
  ["anything-but a value", { detail: { state: [{ "anything-but": "running" }] } }, true],
  ["anything-but the value itself", { detail: { state: [{ "anything-but": "terminated" }] } }, false],
  ["anything-but a list", { detail: { state: [{ "anything-but": ["running", "stopped"] }] } }, true],
  [
    "anything-but a list containing it",
    { detail: { state: [{ "anything-but": ["running", "terminated"] }] } },
    false,
  ],
  ["anything-but a number", { detail: { c: { count: [{ "anything-but": 4 }] } } }, true],
  ["anything-but prefix", { detail: { state: [{ "anything-but": { prefix: "run" } }] } }, true],
  ["anything-but prefix: no", { detail: { state: [{ "anything-but": { prefix: "term" } }] } }, false],
  ["anything-but suffix: no", { detail: { state: [{ "anything-but": { suffix: "ated" } }] } }, false],
  [
    "anything-but equals-ignore-case: no",
    { detail: { state: [{ "anything-but": { "equals-ignore-case": ["TERMINATED"] } }] } },
    false,
  ],
  ["anything-but wildcard", { detail: { state: [{ "anything-but": { wildcard: "run*" } }] } }, true],
  ["anything-but wildcard: no", { detail: { state: [{ "anything-but": { wildcard: "term*" } }] } }, false],
  ["anything-but needs the field", { detail: { missing: [{ "anything-but": "x" }] } }, false],
  ["numeric range", { detail: { c: { count: [{ numeric: [">", 0, "<=", 5] }] } } }, true],
  ["numeric range: outside", { detail: { c: { count: [{ numeric: [">", 5] }] } } }, false],
  ["numeric equals", { detail: { c: { ratio: [{ numeric: ["=", 0.5] }] } } }, true],
  ["numeric never matches a string", { detail: { state: [{ numeric: [">", 0] }] } }, false],
  ["exists true", { detail: { state: [{ exists: true }] } }, true],
  ["exists true: missing", { detail: { missing: [{ exists: true }] } }, false],
  ["exists false: missing", { detail: { missing: [{ exists: false }] } }, true],
  ["exists false: present", { detail: { state: [{ exists: false }] } }, false],
  ["exists false under an absent parent", { detail: { absent: { x: [{ exists: false }] } } }, true],
  ["cidr IPv4", { detail: { "source-ip": [{ cidr: "10.0.0.0/24" }] } }, true],
  ["cidr IPv4: outside", { detail: { "source-ip": [{ cidr: "10.0.1.0/24" }] } }, false],
  ["cidr IPv6 never matches IPv4", { detail: { "source-ip": [{ cidr: "2001:db8::/32" }] } }, false],
  [
    "$or: one branch",
    { source: ["aws.ec2"], $or: [{ detail: { state: ["running"] } }, { detail: { c: { count: [5] } } }] },
    true,
  ],
  ["$or: no branch", { $or: [{ detail: { state: ["running"] } }, { source: ["aws.s3"] }] }, false],
  [
    "$or AND the other keys",
    { source: ["aws.s3"], $or: [{ detail: { state: ["terminated"] } }, { region: ["us-west-1"] }] },
    false,
  ],
  ["every key must match (AND)", { source: ["aws.ec2"], detail: { state: ["running"] } }, false],
];

describe("EventBridge event patterns (documented semantics)", () => {
  it.each(cases)("%s", (_name, pattern, expected) => {
    expect(matchesEventPattern(pattern, EC2_EVENT)).toBe(expected);
  });

  it("matches an IPv6 address in an IPv6 block", () => {
    expect(matchesEventPattern({ ip: [{ cidr: "2001:db8::/32" }] }, { ip: "2001:db8::1" })).toBe(true);
    expect(matchesEventPattern({ ip: [{ cidr: "2001:db8::/32" }] }, { ip: "2001:db9::1" })).toBe(false);
  });

  it("takes a wildcard's escaped star literally", () => {
    expect(matchesEventPattern({ f: [{ wildcard: "a\\*b" }] }, { f: "a*b" })).toBe(true);
    expect(matchesEventPattern({ f: [{ wildcard: "a\\*b" }] }, { f: "axb" })).toBe(false);
  });

  it.each([
    ["not JSON", "{"],
    ["not an object", "[]"],
    ["a leaf that is not an array", { source: "aws.ec2" }],
    ["an empty array", { source: [] }],
    ["an unknown matcher", { source: [{ regex: ".*" }] }],
    ["a bad numeric", { n: [{ numeric: ["!=", 1] }] }],
    ["a bad cidr", { ip: [{ cidr: "10.0.0.0/33" }] }],
    ["$or with one branch", { $or: [{ a: ["b"] }] }],
    ["consecutive wildcards", { f: [{ wildcard: "a**b" }] }],
  ])("refuses %s", (_name, pattern) => {
    expect(() => compileEventPattern(pattern)).toThrow(InvalidEventPatternError);
  });
});
