/* agent_plan: sched-agent's planning step, from a workload profile, the
 * repository's candidate policies and what earlier iterations measured to
 * the next thing to try: a policy, tunable values, or (from an LLM) a new
 * policy's source.
 *
 * Two planners fill the same decision. The deterministic planner stands in
 * for the LLM when no endpoint is configured: it ranks repository policies
 * by how their declared workloads match the profile's class and features,
 * starts with the best match at its defaults, then tunes its first tunable
 * (longer slices for batch and long-tail work, shorter for latency), steps
 * back when a change made things worse, and moves to the next candidate when
 * a policy does not beat the default. The LLM planner (agent_llm.c) asks a
 * model through lib/llm for the same decision as JSON.
 */
#ifndef SCX_AGENT_PLAN_H
#define SCX_AGENT_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCX_AGENT_NAME_MAX 64

/* What one iteration did and cost. */
struct scx_agent_iter {
	int n;
	char policy[SCX_AGENT_NAME_MAX];   /* the repository policy chosen */
	char deployed[SCX_AGENT_NAME_MAX]; /* what was verified and measured (derived name) */
	int version;
	json_t *tunables; /* {name: value}; owned */
	char rationale[512];
	bool verified;
	bool measured;
	char error[512];
	double makespan_ms, baseline_ms, ratio;
	double t_plan_s, t_synth_s, t_verify_s, t_measure_s, t_learn_s, t_total_s;
	uint64_t input_tokens, output_tokens;
	double cost_usd;
	size_t mcp_bytes;
};

struct scx_agent_decision {
	char policy[SCX_AGENT_NAME_MAX];
	json_t *tunables; /* {name: integer}; owned; empty: the policy's defaults */
	char *source;	  /* a new policy's source (LLM only), heap; NULL otherwise */
	char rationale[512];
	uint64_t input_tokens, output_tokens;
	double cost_usd;
};

void scx_agent_decision_clear(struct scx_agent_decision *d);

/* How well a policy's declared workloads (its metadata's "workloads") fit a
 * profile (class and features); higher is better, 0: no match. */
int scx_agent_fit(const json_t *profile, const json_t *policy_meta);

/* The deterministic planner. policies: an array of {"name", "meta"} (meta as
 * policy_get returns it). hist: earlier iterations, oldest first. Returns 0
 * with *out filled, or -ENOENT when every candidate has been tried and
 * nothing is left to tune. */
int scx_agent_plan_offline(const json_t *profile, const json_t *policies,
			   const struct scx_agent_iter *hist, size_t nhist,
			   struct scx_agent_decision *out, char *err, size_t errlen);

/* Returns a copy of source whose declaration "const volatile TYPE NAME = X;"
 * has X replaced by value; NULL with err when there is no such line. */
char *scx_agent_set_tunable(const char *source, const char *name, long long value, char *err,
			    size_t errlen);

#endif /* SCX_AGENT_PLAN_H */
