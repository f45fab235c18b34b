/* consumer.h: the part of the benchmark consumer that is the same code in
 * the native and the Wasm build: what is done per record. */
#ifndef EVBENCH_CONSUMER_H
#define EVBENCH_CONSUMER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "evbench.h"

struct ev_state {
	uint64_t count, want, sum;
	uint64_t first_ns, last_ns;
};

static inline uint64_t ev_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int ev_on_record(void *ctx, void *data, size_t size)
{
	struct ev_state *s = ctx;
	if (size < sizeof(struct ev_record))
		return 0;
	const struct ev_record *r = data;
	if (!s->count)
		s->first_ns = ev_now_ns();
	s->sum += r->seq + r->payload[47];
	if (++s->count == s->want) {
		s->last_ns = ev_now_ns();
		return 1;
	}
	return 0;
}

#endif
