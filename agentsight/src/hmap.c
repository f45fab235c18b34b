/* hmap: open-addressing hash map (see hmap.h). */
#include "hmap.h"

#include <stdlib.h>

static size_t slot_of(uint64_t key, size_t cap)
{
	/* A 64-bit mix (from splitmix64) so sequential pids spread out. */
	key ^= key >> 30;
	key *= 0xbf58476d1ce4e5b9ULL;
	key ^= key >> 27;
	key *= 0x94d049bb133111ebULL;
	key ^= key >> 31;
	return (size_t)key & (cap - 1);
}

void *as_hmap_get(const struct as_hmap *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slots[i].val)
			return NULL;
		if (m->slots[i].key == key)
			return m->slots[i].val;
	}
}

static bool grow(struct as_hmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct as_hmap_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return false;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].val)
			continue;
		size_t j = slot_of(m->slots[i].key, cap);
		while (slots[j].val)
			j = (j + 1) & (cap - 1);
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return true;
}

void *as_hmap_put(struct as_hmap *m, uint64_t key, void *val)
{
	if ((m->len + 1) * 4 > m->cap * 3 && !grow(m))
		return val;
	size_t i = slot_of(key, m->cap);
	while (m->slots[i].val) {
		if (m->slots[i].key == key) {
			void *old = m->slots[i].val;
			m->slots[i].val = val;
			return old;
		}
		i = (i + 1) & (m->cap - 1);
	}
	m->slots[i].key = key;
	m->slots[i].val = val;
	m->len++;
	return NULL;
}

void *as_hmap_del(struct as_hmap *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	size_t i = slot_of(key, m->cap);
	while (m->slots[i].val && m->slots[i].key != key)
		i = (i + 1) & mask;
	if (!m->slots[i].val)
		return NULL;
	void *old = m->slots[i].val;
	/* Backward-shift: move later entries of the run into the hole when
	 * their home slot allows it. */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
		size_t home = slot_of(m->slots[j].key, m->cap);
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			m->slots[hole] = m->slots[j];
			hole = j;
		}
	}
	m->slots[hole].val = NULL;
	m->slots[hole].key = 0;
	m->len--;
	return old;
}

void as_hmap_free(struct as_hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}

bool as_hmap_next(const struct as_hmap *m, size_t *pos, uint64_t *key, void **val)
{
	for (; *pos < m->cap; (*pos)++) {
		if (m->slots[*pos].val) {
			*key = m->slots[*pos].key;
			*val = m->slots[*pos].val;
			(*pos)++;
			return true;
		}
	}
	return false;
}
