/** Test helpers: real clients (kafkajs, kcat) and a raw frame client pointed at a local broker. */
import { execFile, spawn } from "node:child_process";
import { createConnection, type Socket } from "node:net";
import { Kafka, type KafkaConfig, logLevel } from "kafkajs";
import { Writer } from "../../../tools/local/kafka/protocol/writer.ts";

process.env.KAFKAJS_NO_PARTITIONER_WARNING = "1";

export function kafkajs(brokers: string[], extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    brokers,
    clientId: "kafkajs-test",
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 50 },
    ...extra,
  });
}

export interface KcatResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kcat (librdkafka) with `args`, writing `input` to its stdin. */
export function kcat(args: readonly string[], input?: string, timeoutMs = 30_000): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "kcat",
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code === "string")
          reject(error); // could not start kcat at all
        else
          resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? "");
  });
}

/** Starts a long-running kcat (e.g. a group consumer) and collects its output. */
export function spawnKcat(args: readonly string[]) {
  const child = spawn("kcat", args, { stdio: ["ignore", "pipe", "pipe"] });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (d: Buffer) => {
    out.stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out.stderr += d.toString();
  });
  return { child, out };
}

/** A bare TCP client speaking Kafka frames, for requests no well-behaved client would send. */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private readonly byCorrelation = new Map<number, (frame: Buffer) => void>();
  private readonly rawWaiters: ((frame: Buffer) => void)[] = [];
  /** Frames that answered no pending request (e.g. a response to Produce with acks=0). */
  readonly unmatched: Buffer[] = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      while (this.buffer.length >= 4 && this.buffer.length >= 4 + this.buffer.readInt32BE(0)) {
        const size = this.buffer.readInt32BE(0);
        const frame = this.buffer.subarray(4, 4 + size);
        this.buffer = this.buffer.subarray(4 + size);
        this.deliver(frame);
      }
    });
    socket.on("close", () => {
      this.closed = true;
    });
    socket.on("error", () => {});
  }

  private deliver(frame: Buffer): void {
    const raw = this.rawWaiters.shift();
    if (raw) {
      raw(frame);
      return;
    }
    const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : -1;
    const waiter = this.byCorrelation.get(correlationId);
    this.byCorrelation.delete(correlationId);
    if (waiter) waiter(frame);
    else this.unmatched.push(frame);
  }

  static connect(address: string): Promise<RawClient> {
    const [host, port] = address.split(":");
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port: Number(port) }, () => resolve(new RawClient(socket)));
      socket.once("error", reject);
    });
  }

  /** Sends a request (header v1 + `body`) without waiting for an answer. */
  send(
    apiKey: number,
    apiVersion: number,
    correlationId: number,
    body: (w: Writer) => void = () => {},
  ): void {
    const w = new Writer().int16(apiKey).int16(apiVersion).int32(correlationId).nullableString("raw-test");
    body(w);
    const payload = w.toBuffer();
    this.writeRaw(Buffer.concat([new Writer().int32(payload.length).toBuffer(), payload]));
  }

  /** Sends a request and resolves with its response frame (starting with the correlation id). */
  request(apiKey: number, apiVersion: number, correlationId: number, body: (w: Writer) => void = () => {}) {
    const response = new Promise<Buffer>((resolve) => this.byCorrelation.set(correlationId, resolve));
    this.send(apiKey, apiVersion, correlationId, body);
    return response;
  }

  /** Resolves with the next frame the broker sends, whatever it is (SASL v0 tokens have no header). */
  nextFrame(): Promise<Buffer> {
    return new Promise<Buffer>((resolve) => this.rawWaiters.push(resolve));
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}
