/* agent_llm: sched-agent's LLM planner, through lib/llm against any
 * OpenAI-compatible or Anthropic endpoint (see agent_plan.h and agent_llm.h).
 *
 * The model gets the workload profile's summary and numbers, the candidate
 * policies (name, description, algorithm, workloads, tunables with ranges),
 * and every earlier iteration's choice and measured ratio, and must answer
 * with one JSON object: a repository policy and tunable values, or a new
 * policy's complete source. The reply is checked (a known policy or a
 * source, integer tunables) before the agent acts on it; tokens and cost
 * come back in the decision.
 */
#include "agent_llm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char system_prompt[] =
	"You are the planning agent of SchedCP, which tunes Linux scheduling with sched_ext "
	"policies. You choose what to try next to minimise the workload's makespan (or, for a "
	"latency-sensitive workload, its wakeup latency) relative to the kernel's default "
	"scheduler. Answer with ONE JSON object and nothing else, either\n"
	"{\"policy\": \"<a candidate's name>\", \"tunables\": {\"<name>\": <integer>}, "
	"\"rationale\": \"<one sentence>\"}\n"
	"to run a repository policy (tunables within their declared ranges; {} for defaults), "
	"or\n"
	"{\"policy\": \"<new_name>\", \"source\": \"<complete sched_ext BPF C including "
	"scx_common.bpf.h>\", \"rationale\": \"...\"}\n"
	"to write a new policy. Do not repeat a configuration already measured.";

static char *build_prompt(const json_t *profile, const json_t *policies,
			  const struct scx_agent_iter *hist, size_t nhist)
{
	json_t *cands = json_array();
	size_t i;
	const json_t *p;
	json_array_foreach(policies, i, p)
	{
		const json_t *m = json_object_get(p, "meta");
		json_array_append_new(cands, json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}", "name",
						       json_object_get(p, "name"), "description",
						       json_object_get(m, "description"),
						       "algorithm", json_object_get(m, "algorithm"),
						       "workloads", json_object_get(m, "workloads"),
						       "tunables", json_object_get(m, "tunables")));
	}
	json_t *pv = json_pack(
		"{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "class",
		json_object_get(profile, "class"), "features", json_object_get(profile, "features"),
		"cpu", json_object_get(profile, "cpu"), "time_share",
		json_object_get(profile, "time_share"), "tasks", json_object_get(profile, "tasks"),
		"wakeups", json_object_get(profile, "wakeups"), "runq_latency_us",
		json_object_get(profile, "runq_latency_us"));
	if (pv)
		json_object_del(json_object_get(pv, "runq_latency_us"), "histogram");
	json_t *h = json_array();
	for (size_t k = 0; k < nhist; k++)
		json_array_append_new(
			h, json_pack("{s:i, s:s, s:O?, s:b, s:b, s:f, s:s}", "iteration", hist[k].n,
				     "policy", hist[k].policy, "tunables", hist[k].tunables,
				     "verified", hist[k].verified, "measured", hist[k].measured,
				     "ratio_to_default", hist[k].ratio, "error", hist[k].error));
	char *cj = json_dumps(cands, JSON_COMPACT);
	char *pj = json_dumps(pv, JSON_COMPACT);
	char *hj = json_dumps(h, JSON_COMPACT);
	const json_t *sum = json_object_get(profile, "summary");
	char *out = NULL;
	if (asprintf(&out,
		     "Workload profile summary: %s\nProfile: %s\nCandidate policies: %s\n"
		     "Earlier iterations (ratio below 1 beats the default): %s\n"
		     "What should the next iteration try?",
		     json_is_string(sum) ? json_string_value(sum) : "(no profile)", pj ? pj : "{}",
		     cj ? cj : "[]", hj ? hj : "[]") < 0)
		out = NULL;
	free(cj);
	free(pj);
	free(hj);
	json_decref(cands);
	json_decref(pv);
	json_decref(h);
	return out;
}

int scx_agent_parse_llm_reply(const char *text, const json_t *policies,
			      struct scx_agent_decision *out, char *err, size_t errlen)
{
	const char *a = strchr(text, '{'), *b = strrchr(text, '}');
	if (!a || !b || b < a) {
		snprintf(err, errlen, "the model's reply holds no JSON object");
		return -EINVAL;
	}
	json_error_t je;
	json_t *j = json_loadb(a, (size_t)(b - a + 1), 0, &je);
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(err, errlen, "the model's reply is not JSON: %s", je.text);
		return -EINVAL;
	}
	const char *pol = json_string_value(json_object_get(j, "policy"));
	const char *src = json_string_value(json_object_get(j, "source"));
	const json_t *tun = json_object_get(j, "tunables");
	const char *why = json_string_value(json_object_get(j, "rationale"));
	int rc = 0;
	if (!pol || !*pol || strlen(pol) >= SCX_AGENT_NAME_MAX) {
		snprintf(err, errlen, "the model's reply names no policy");
		rc = -EINVAL;
	} else if (tun && !json_is_object(tun)) {
		snprintf(err, errlen, "the model's tunables are not an object");
		rc = -EINVAL;
	}
	bool known = false;
	size_t i;
	const json_t *p;
	json_array_foreach(policies, i, p)
	{
		if (pol && !strcmp(json_string_value(json_object_get(p, "name")), pol))
			known = true;
	}
	if (!rc && !known && !src) {
		snprintf(err, errlen,
			 "the model chose '%s', which is not a candidate, and gave no "
			 "source",
			 pol);
		rc = -EINVAL;
	}
	const char *k;
	const json_t *v;
	if (!rc && tun)
		json_object_foreach((json_t *)tun, k, v)
		{
			if (!json_is_integer(v) || json_integer_value(v) < 0) {
				snprintf(err, errlen, "tunable %s is not a non-negative integer",
					 k);
				rc = -EINVAL;
				break;
			}
		}
	if (!rc) {
		snprintf(out->policy, sizeof(out->policy), "%s", pol);
		out->tunables = tun ? json_deep_copy(tun) : json_object();
		out->source = src ? strdup(src) : NULL;
		snprintf(out->rationale, sizeof(out->rationale), "%s", why ? why : "");
	}
	json_decref(j);
	return rc;
}

int scx_agent_plan_llm(struct llm_client *client, const json_t *profile, const json_t *policies,
		       const struct scx_agent_iter *hist, size_t nhist,
		       struct scx_agent_decision *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	char *prompt = build_prompt(profile, policies, hist, nhist);
	if (!prompt) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	const struct llm_message msgs[] = {
		{.role = LLM_ROLE_SYSTEM, .content = system_prompt},
		{.role = LLM_ROLE_USER, .content = prompt},
	};
	struct llm_request req = {.messages = msgs, .n_messages = 2};
	struct llm_result res;
	int rc = llm_chat(client, &req, &res, err, errlen);
	free(prompt);
	out->input_tokens = res.input_tokens;
	out->output_tokens = res.output_tokens;
	out->cost_usd = res.cost_usd;
	if (rc == LLM_OK) {
		uint64_t in = out->input_tokens, outt = out->output_tokens;
		double cost = out->cost_usd;
		rc = scx_agent_parse_llm_reply(res.text ? res.text : "", policies, out, err,
					       errlen);
		out->input_tokens = in;
		out->output_tokens = outt;
		out->cost_usd = cost;
	} else {
		rc = -EIO;
	}
	llm_result_free(&res);
	return rc;
}
