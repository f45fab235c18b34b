/* clocks: properties of the clocks, not their values (WASI clock_time_get,
 * clock_res_get, poll_oneoff's clock subscriptions behind nanosleep): the
 * realtime clock is after 2020, monotonic never goes back, resolutions are
 * positive and at most a millisecond, a 20 ms sleep lasts at least 20 ms, and
 * CPU time grows while the program computes. */
#include <time.h>

#include "guest.h"

static int64_t ns(clockid_t c)
{
	struct timespec ts;
	if (clock_gettime(c, &ts) != 0)
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(void)
{
	printf("realtime after 2020: %s\n",
	       ns(CLOCK_REALTIME) > 1577836800LL * 1000000000 ? "yes" : "no");
	time_t t = time(NULL);
	printf("time() agrees with realtime: %s\n",
	       t - ns(CLOCK_REALTIME) / 1000000000 <= 1 && ns(CLOCK_REALTIME) / 1000000000 - t <= 1
		       ? "yes"
		       : "no");
	int64_t prev = ns(CLOCK_MONOTONIC);
	int backwards = 0;
	for (int i = 0; i < 100000; i++) {
		int64_t now = ns(CLOCK_MONOTONIC);
		if (now < prev)
			backwards++;
		prev = now;
	}
	printf("monotonic went back: %d times\n", backwards);
	clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
			   CLOCK_THREAD_CPUTIME_ID};
	const char *names[] = {"realtime", "monotonic", "process", "thread"};
	for (int i = 0; i < 4; i++) {
		struct timespec r;
		int ok = clock_getres(ids[i], &r) == 0;
		int64_t res = (int64_t)r.tv_sec * 1000000000 + r.tv_nsec;
		printf("res %s: %s\n", names[i],
		       ok && res > 0 && res <= 1000000 ? "in (0, 1ms]" : "BAD");
	}
	int64_t a = ns(CLOCK_MONOTONIC);
	struct timespec req = {.tv_sec = 0, .tv_nsec = 20000000};
	int rc = nanosleep(&req, NULL);
	int64_t b = ns(CLOCK_MONOTONIC);
	printf("nanosleep 20ms: rc=%d slept at least 20ms: %s\n", rc,
	       b - a >= 20000000 ? "yes" : "no");
	int64_t c0 = ns(CLOCK_PROCESS_CPUTIME_ID);
	volatile uint64_t x = 1;
	for (int i = 0; i < 20000000; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	int64_t c1 = ns(CLOCK_PROCESS_CPUTIME_ID);
	printf("cpu time grew while computing: %s\n", c1 > c0 ? "yes" : "no");
	return 0;
}
