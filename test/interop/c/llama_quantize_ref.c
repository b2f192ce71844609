// The reference for hubferry's quantization mixes: llama.cpp's own llama_model_quantize (the
// function the llama-quantize tool calls), with its default parameters: no importance matrix,
// no overrides. Usage: llama_quantize_ref IN.gguf OUT.gguf FTYPE [THREADS] (a llama_ftype number;
// threads default 2; the bytes do not depend on it).
#include <stdio.h>
#include <stdlib.h>
#include "llama.h"

int main(int argc, char ** argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s IN.gguf OUT.gguf FTYPE [THREADS]\n", argv[0]);
        return 2;
    }
    llama_backend_init();
    struct llama_model_quantize_params params = llama_model_quantize_default_params();
    params.ftype = (enum llama_ftype) atoi(argv[3]);
    params.nthread = argc == 5 ? atoi(argv[4]) : 2;
    const uint32_t rc = llama_model_quantize(argv[1], argv[2], &params);
    llama_backend_free();
    return rc == 0 ? 0 : 1;
}
