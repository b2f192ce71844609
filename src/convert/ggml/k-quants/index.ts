/**
 * K-quant codecs (QK_K = 256 values a block): encoders bit-exact with ggml's reference quantizers
 * (what llama-quantize uses without an importance matrix, ggml built with GGML_NATIVE=OFF) and
 * decoders bit-exact with gguf-py's dequantize. Same Encoder / Decoder signatures as ../types.ts.
 */
export { decodeQ2K } from "./decode-q2k.js";
export { decodeQ3K } from "./decode-q3k.js";
export { decodeQ4K } from "./decode-q4k.js";
export { decodeQ5K } from "./decode-q5k.js";
export { decodeQ6K } from "./decode-q6k.js";
export { encodeQ2K } from "./encode-q2k.js";
export { encodeQ3K } from "./encode-q3k.js";
export { encodeQ4K } from "./encode-q4k.js";
export { encodeQ5K } from "./encode-q5k.js";
export { encodeQ6K } from "./encode-q6k.js";
