/**
 * The instance table the Kafka sizers choose from: EC2 types for self-hosted brokers (general
 * purpose, memory and storage optimized, Graviton and x86) and MSK Standard and Express broker
 * sizes. Prices live in the catalogue (`priceKey`); the capacity figures live here, each with its
 * status like a price (`V` machine-generated or primary, `S` secondary sources agree, `U` from
 * memory). A fleet whose binding constraint rests on a `U` figure is flagged UNVERIFIED.
 */

export type SpecStatus = "V" | "S" | "U";

/** Where the figures come from. */
export const SPEC_SOURCES = {
  network:
    "EC2 baseline network bandwidth (Mbps): github.com/aws/karpenter-provider-aws pkg/providers/instancetype/zz_generated.bandwidth.go (generated from the EC2 instance type specifications, commit 7f27b4e, 2026-08-18)",
  vcpuMemoryNvme:
    "vCPU, memory, local NVMe (GB): github.com/aws/karpenter-provider-aws website/content/en/docs/reference/instance-types.md (generated from DescribeInstanceTypes, 2026-07-11)",
  ebsBaseline:
    "EBS-optimized baseline bandwidth (Mbps): m7g and m5 from memory of the EC2 instance types guide, agreeing with the per-broker EBS throughput of AWS's MSK sizing script (S); r7g and m6i from memory only (UNVERIFIED). Karpenter lists only the 10,000 Mbps burst maximum",
  partitions:
    "recommended partition replicas per broker: AWS MSK sizing script github.com/aws/agent-toolkit-for-aws managing-amazon-msk/scripts/msk_sizing.py (commit 2a0af54, 2026-08-13); EC2 brokers assumed like the MSK broker of the same size",
  express:
    "MSK Express per-broker ingress 15.625 MiB/s (large) to 125 MiB/s (4xlarge), egress 2.5 × ingress: AWS MSK sizing script (commit 2a0af54, 2026-08-13)",
} as const;

/** One broker type the sizer may choose. */
export interface BrokerType {
  readonly name: string;
  /** Catalogue key of its hourly price. */
  readonly priceKey: string;
  readonly kind: "ec2" | "msk-standard" | "msk-express";
  readonly family: "general purpose" | "memory optimized" | "storage optimized";
  readonly arch: "arm64" | "x86_64";
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** Baseline network bandwidth in Mbps (sustained; the "up to" burst is not counted). */
  readonly networkMbps: number;
  /** EBS-optimized baseline bandwidth in Mbps (EBS-backed types). */
  readonly ebsBaselineMbps?: number;
  /** Local NVMe instance store in GB (storage-optimized types keep the log there: no EBS). */
  readonly localNvmeGB?: number;
  /** Partition replicas (leaders + followers) one broker should carry. */
  readonly partitionReplicas: number;
  /** MSK Express: recommended per-broker ingress and egress in MB/s (replication is not broker traffic). */
  readonly expressInMBps?: number;
  readonly expressOutMBps?: number;
  /** Status of the figures this type's constraints use. */
  readonly status: {
    readonly network: SpecStatus;
    readonly ebs: SpecStatus;
    readonly partitions: SpecStatus;
    readonly express: SpecStatus;
  };
}

type Size = "large" | "xlarge" | "2xlarge" | "4xlarge";
const SIZES: readonly Size[] = ["large", "xlarge", "2xlarge", "4xlarge"];
const FACTOR: Record<Size, number> = { large: 1, xlarge: 2, "2xlarge": 4, "4xlarge": 8 };
const PARTITIONS: Record<Size, number> = { large: 1_000, xlarge: 1_000, "2xlarge": 2_000, "4xlarge": 4_000 };
const EXPRESS_PARTITIONS: Record<Size, number> = {
  large: 1_000,
  xlarge: 1_000,
  "2xlarge": 2_500,
  "4xlarge": 6_000,
};
/** Express egress capacity is 2.5 × its ingress limit (AWS MSK sizing script). */
const EXPRESS_EGRESS_FACTOR = 2.5;
const MIB = 1_048_576;

interface FamilyRow {
  readonly family: BrokerType["family"];
  readonly arch: BrokerType["arch"];
  readonly memoryGiBPerVcpu: number;
  /** Baseline network Mbps per size (Karpenter, V). */
  readonly networkMbps: Record<Size, number>;
  /** EBS baseline Mbps per size, absent for local-NVMe families. */
  readonly ebsBaselineMbps?: Record<Size, number>;
  /** Status of the EBS figures. */
  readonly ebsStatus?: SpecStatus;
  /** Local NVMe GB per size (Karpenter, V). */
  readonly localNvmeGB?: Record<Size, number>;
}

/** Graviton 3 general purpose; r7g has the same network and EBS figures, and MSK's m7g brokers use it. */
const M7G: FamilyRow = {
  family: "general purpose",
  arch: "arm64",
  memoryGiBPerVcpu: 4,
  networkMbps: { large: 937, xlarge: 1_876, "2xlarge": 3_750, "4xlarge": 7_500 },
  ebsBaselineMbps: { large: 630, xlarge: 1_250, "2xlarge": 2_500, "4xlarge": 5_000 },
  ebsStatus: "S",
};

const EC2_FAMILIES: Record<string, FamilyRow> = {
  m7g: M7G,
  m6i: {
    family: "general purpose",
    arch: "x86_64",
    memoryGiBPerVcpu: 4,
    networkMbps: { large: 781, xlarge: 1_562, "2xlarge": 3_125, "4xlarge": 6_250 },
    ebsBaselineMbps: { large: 650, xlarge: 1_250, "2xlarge": 2_500, "4xlarge": 5_000 },
  },
  // The same figures as m7g, but no EBS status given for r7g (so its EBS figures count as unverified).
  r7g: { ...M7G, family: "memory optimized", memoryGiBPerVcpu: 8, ebsStatus: undefined },
  i4i: {
    family: "storage optimized",
    arch: "x86_64",
    memoryGiBPerVcpu: 8,
    networkMbps: { large: 781, xlarge: 1_875, "2xlarge": 4_687, "4xlarge": 9_375 },
    localNvmeGB: { large: 468, xlarge: 937, "2xlarge": 1_875, "4xlarge": 3_750 },
  },
  im4gn: {
    family: "storage optimized",
    arch: "arm64",
    memoryGiBPerVcpu: 4,
    networkMbps: { large: 3_125, xlarge: 6_250, "2xlarge": 12_500, "4xlarge": 25_000 },
    localNvmeGB: { large: 937, xlarge: 1_875, "2xlarge": 3_750, "4xlarge": 7_500 },
  },
};

function fromFamily(
  name: string,
  row: FamilyRow,
  size: Size,
  kind: BrokerType["kind"],
  priceKey: string,
): BrokerType {
  const vcpu = 2 * FACTOR[size];
  return {
    name,
    priceKey,
    kind,
    family: row.family,
    arch: row.arch,
    vcpu,
    memoryGiB: vcpu * row.memoryGiBPerVcpu,
    networkMbps: row.networkMbps[size],
    ...(row.ebsBaselineMbps ? { ebsBaselineMbps: row.ebsBaselineMbps[size] } : {}),
    ...(row.localNvmeGB ? { localNvmeGB: row.localNvmeGB[size] } : {}),
    partitionReplicas: PARTITIONS[size],
    status: {
      network: "V",
      ebs: row.ebsBaselineMbps ? (row.ebsStatus ?? "U") : "V",
      partitions: "V",
      express: "V",
    },
  };
}

/** EC2 types for self-hosted Kafka: m7g, m6i, r7g (EBS gp3) and i4i, im4gn (local NVMe), large to 4xlarge. */
export const KAFKA_EC2_TYPES: readonly BrokerType[] = Object.entries(EC2_FAMILIES).flatMap(([family, row]) =>
  SIZES.map((size) => fromFamily(`${family}.${size}`, row, size, "ec2", `ec2.${family}.${size}`)),
);

const M5: FamilyRow = {
  family: "general purpose",
  arch: "x86_64",
  memoryGiBPerVcpu: 4,
  networkMbps: { large: 750, xlarge: 1_250, "2xlarge": 2_500, "4xlarge": 5_000 },
  ebsBaselineMbps: { large: 650, xlarge: 1_150, "2xlarge": 2_300, "4xlarge": 4_750 },
  ebsStatus: "S",
};

/**
 * MSK Standard broker sizes (kafka.m5 and kafka.m7g, large to 4xlarge), assumed to have the
 * bandwidth of the EC2 instance of the same name; storage is EBS (at most 16 TiB per broker).
 */
export const MSK_STANDARD_TYPES: readonly BrokerType[] = [
  ...SIZES.map((size) =>
    fromFamily(`kafka.m5.${size}`, M5, size, "msk-standard", `msk.broker.kafka.m5.${size}`),
  ),
  ...SIZES.map((size) =>
    fromFamily(`kafka.m7g.${size}`, M7G, size, "msk-standard", `msk.broker.kafka.m7g.${size}`),
  ),
];

/**
 * MSK Express broker sizes (express.m7g, large to 4xlarge): throughput-limited per broker, storage
 * managed by MSK (no provisioning, no per-broker limit), replication inside the service.
 */
export const MSK_EXPRESS_TYPES: readonly BrokerType[] = SIZES.map((size) => {
  const base = fromFamily(`express.m7g.${size}`, M7G, size, "msk-express", `msk.broker.express.m7g.${size}`);
  const { ebsBaselineMbps: _ebs, ...rest } = base;
  const inMBps = (15.625 * FACTOR[size] * MIB) / 1e6;
  return {
    ...rest,
    partitionReplicas: EXPRESS_PARTITIONS[size],
    expressInMBps: inMBps,
    expressOutMBps: inMBps * EXPRESS_EGRESS_FACTOR,
    status: { ...base.status, ebs: "V", express: "V" },
  };
});

/** Every price key the instance tables read (the catalogue must have them all). */
export const INSTANCE_PRICE_KEYS: readonly string[] = [
  ...KAFKA_EC2_TYPES,
  ...MSK_STANDARD_TYPES,
  ...MSK_EXPRESS_TYPES,
].map((t) => t.priceKey);
