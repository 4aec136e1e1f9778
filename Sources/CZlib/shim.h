#ifndef NEWSWIRE_CZLIB_SHIM_H
#define NEWSWIRE_CZLIB_SHIM_H

// zlib's inflateInit2 and deflateInit2 are macros that pass ZLIB_VERSION and
// sizeof(z_stream) to the real functions (zlib.h); Swift does not import
// function-like macros, so these wrappers expand them.
#include <zlib.h>

static inline int czlib_inflate_init2(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

static inline int czlib_deflate_init2(z_stream *stream, int level, int windowBits, int memLevel, int strategy) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, strategy);
}

#endif
