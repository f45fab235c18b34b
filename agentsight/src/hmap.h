/* hmap: a small hash map from 64-bit keys to pointers, for the engine's
 * tables (connections, processes, open files). Open addressing with linear
 * probing and backward-shift deletion, so no tombstones build up; it grows
 * by doubling. Not thread-safe.
 */
#ifndef AGENTSIGHT_HMAP_H
#define AGENTSIGHT_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct as_hmap_slot {
	uint64_t key;
	void *val; /* NULL marks an empty slot: values must not be NULL */
};

struct as_hmap {
	struct as_hmap_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t len;
};

/* The value for key, or NULL. */
void *as_hmap_get(const struct as_hmap *m, uint64_t key);
/* Sets key to val (not NULL); returns the value it replaces, or NULL. On
 * allocation failure returns val itself and leaves the map unchanged. */
void *as_hmap_put(struct as_hmap *m, uint64_t key, void *val);
/* Removes key; returns its value, or NULL. */
void *as_hmap_del(struct as_hmap *m, uint64_t key);
/* Frees the table (not the values). */
void as_hmap_free(struct as_hmap *m);

/* Iteration: for (size_t i = 0; as_hmap_next(m, &i, &k, &v);) ... Deleting
 * during iteration may skip entries: collect keys first. */
bool as_hmap_next(const struct as_hmap *m, size_t *pos, uint64_t *key, void **val);

/* Two 32-bit values as one key. */
static inline uint64_t as_hmap_key2(uint32_t a, uint32_t b)
{
	return (uint64_t)a << 32 | b;
}

#endif /* AGENTSIGHT_HMAP_H */
