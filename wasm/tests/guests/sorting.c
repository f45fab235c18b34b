/* sorting: qsort of integers, strings and structs with ties broken by a
 * second key, bsearch, and a checksum of a 200000-element sort. */
#include <string.h>

#include "guest.h"

struct person {
	char name[16];
	int age;
};

static int by_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_age_name(const void *a, const void *b)
{
	const struct person *p = a, *q = b;
	if (p->age != q->age)
		return p->age - q->age;
	return strcmp(p->name, q->name);
}

int main(void)
{
	const char *words[] = {"pear",	"apple", "fig",	  "banana", "cherry", "date",
			       "elder", "grape", "Apple", "apple2", "",	      "zucchini"};
	size_t nw = sizeof(words) / sizeof(words[0]);
	qsort(words, nw, sizeof(words[0]), by_str);
	for (size_t i = 0; i < nw; i++)
		printf("%s[%s]", i ? " " : "", words[i]);
	printf("\n");
	struct person ps[] = {{"ann", 30}, {"bob", 25}, {"cid", 30},
			      {"abe", 25}, {"dee", 41}, {"eve", 19}};
	size_t np = sizeof(ps) / sizeof(ps[0]);
	qsort(ps, np, sizeof(ps[0]), by_age_name);
	for (size_t i = 0; i < np; i++)
		printf("%s:%d ", ps[i].name, ps[i].age);
	printf("\n");

	enum {
		N = 200000
	};
	int *v = malloc(N * sizeof(*v));
	uint32_t x = 12345;
	for (int i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		v[i] = (int)(x >> 1) % 1000000 - 500000;
	}
	qsort(v, N, sizeof(*v), by_int);
	int sorted = 1;
	for (int i = 1; i < N; i++)
		sorted &= v[i - 1] <= v[i];
	printf("sorted=%d min=%d max=%d median=%d fnv=%08x\n", sorted, v[0], v[N - 1], v[N / 2],
	       (unsigned)fnv1a(v, N * sizeof(*v), FNV_INIT));
	int key = v[12345];
	int *hit = bsearch(&key, v, N, sizeof(*v), by_int);
	printf("bsearch found %d: %s\n", key, hit && *hit == key ? "yes" : "no");
	key = 600000;
	printf("bsearch absent: %s\n",
	       bsearch(&key, v, N, sizeof(*v), by_int) ? "found" : "not found");
	free(v);
	return 0;
}
