#ifndef NEWSWIRE_CPREFETCH_SHIM_H
#define NEWSWIRE_CPREFETCH_SHIM_H

// A hint to load the cache line at `address` (for reading, kept in all cache levels) while
// the caller goes on: Swift has no prefetch of its own. Inlined into the Swift caller.
static inline void newswire_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
