#ifndef NEWSWIRE_CDEFLATE_SHIM_H
#define NEWSWIRE_CDEFLATE_SHIM_H

// libdeflate: whole-buffer DEFLATE/gzip decompression, about 2.5 times faster than zlib's
// streaming inflate. Used only for gzip members that fit in memory; zlib does the rest.
#include <libdeflate.h>

#endif
