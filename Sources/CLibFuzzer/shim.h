#ifndef NEWSWIRE_CLIBFUZZER_SHIM_H
#define NEWSWIRE_CLIBFUZZER_SHIM_H

// libFuzzer's driver, for a program that has its own main (LLVM's LibFuzzer.rst, "Using
// libFuzzer as a library"). Defined only when linking with -sanitize=fuzzer; newswire-fuzz
// calls it only when built with -DFUZZING, so a plain build never references it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
