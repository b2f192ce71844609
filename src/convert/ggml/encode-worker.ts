// A worker thread of the encode pool: encodes the values it is sent with the same codecs the main
// thread has (so its bytes are the same), and sends the bytes back, transferred, not copied.
import { parentPort } from "node:worker_threads";
import { encoderFor } from "./codecs.js";
import type { GgmlType } from "./types.js";

interface Job {
  id: number;
  type: GgmlType;
  values: Float32Array;
}

parentPort?.on("message", ({ id, type, values }: Job) => {
  try {
    const bytes = encoderFor(type)(values);
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    parentPort?.postMessage({ id, bytes }, whole ? [bytes.buffer as ArrayBuffer] : []);
  } catch (err) {
    parentPort?.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
