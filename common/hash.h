/*
 * hash.h - the 64-bit mixer the engine's group tables and the distinct-count sketches
 * hash with.
 */
#ifndef SL_HASH_H
#define SL_HASH_H

#include <stdint.h>

/* The 64-bit finalizer of MurmurHash3: a bijection with full avalanche, so distinct words
 * give distinct hashes. */
static inline uint64_t sl_hash_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

#endif
