/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of every record batch in the shard store
 * (and of checkpoints later).
 *
 * Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at run time) and a
 * slicing-by-8 table otherwise; both give the same value.
 */
#ifndef SL_CRC32C_H
#define SL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends crc (0 to start) over n bytes. */
uint32_t sl_crc32c(uint32_t crc, const void *data, size_t n);
/* The table-driven version alone, for tests that compare the two paths. */
uint32_t sl_crc32c_portable(uint32_t crc, const void *data, size_t n);

#endif
