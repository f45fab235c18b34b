/* agent_plan_test: sched-agent's planners without a VM or a network.
 *
 * The deterministic planner on profiles of each class picks the policy whose
 * declared workloads fit (the candidates carry the seed repository's
 * metadata: workloads and tunable ranges as docs/schedcp.md lists them),
 * tunes the winner in the direction the class calls for, steps back after a
 * rejection, moves on when a policy loses to the default, and stops when
 * nothing is left. The tunable rewriter changes exactly one declaration.
 * The LLM planner runs against lib/llm's mock OpenAI server: the request
 * carries the profile and the candidates, a scripted reply becomes the
 * decision with its token counts, and bad replies are refused.
 */
#include "agent_llm.h"
#include "agent_plan.h"
#include "mock_server.h"
#include "testkit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static json_t *candidates(void)
{
	return json_pack("[{s:s, s:{s:[s,s], s:[{s:s, s:s, s:i, s:i, s:i}]}},"
			 " {s:s, s:{s:[s,s], s:[{s:s, s:s, s:i, s:i, s:i}]}},"
			 " {s:s, s:{s:[s,s,s], s:[{s:s, s:s, s:i, s:i, s:i}]}},"
			 " {s:s, s:{s:[s,s], s:[{s:s, s:s, s:i, s:i, s:i}]}}]",
			 "name", "fifo", "meta", "workloads", "throughput", "batch", "tunables",
			 "name", "slice_ns", "type", "u64", "min", 100000, "max", 100000000,
			 "default", 5000000, "name", "latency", "meta", "workloads", "interactive",
			 "latency", "tunables", "name", "wake_slice_ns", "type", "u64", "min",
			 50000, "max", 20000000, "default", 1000000, "name", "ljf", "meta",
			 "workloads", "batch", "long-tail", "build", "tunables", "name", "slice_ns",
			 "type", "u64", "min", 1000000, "max", 200000000, "default", 20000000,
			 "name", "vtime", "meta", "workloads", "fairness", "mixed", "tunables",
			 "name", "slice_ns", "type", "u64", "min", 100000, "max", 100000000,
			 "default", 5000000);
}

static json_t *profile(const char *cls, const char *f1, const char *f2)
{
	json_t *p = json_pack("{s:s, s:[], s:s}", "class", cls, "features", "summary", "test");
	if (f1)
		json_array_append_new(json_object_get(p, "features"), json_string(f1));
	if (f2)
		json_array_append_new(json_object_get(p, "features"), json_string(f2));
	return p;
}

static void set_iter(struct scx_agent_iter *it, int n, const char *policy, json_t *tun,
		     bool measured, double ratio)
{
	memset(it, 0, sizeof(*it));
	it->n = n;
	snprintf(it->policy, sizeof(it->policy), "%s", policy);
	it->tunables = tun;
	it->measured = measured;
	it->verified = measured;
	it->ratio = ratio;
}

static long long tunable(const struct scx_agent_decision *d, const char *name)
{
	return (long long)json_integer_value(json_object_get(d->tunables, name));
}

static void offline(void)
{
	json_t *c = candidates();
	char err[256];
	struct scx_agent_decision d;

	json_t *lt = profile("cpu_bound", "long_tail", "parallel");
	TK_CHECK(scx_agent_plan_offline(lt, c, NULL, 0, &d, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(d.policy, "ljf") && json_object_size(d.tunables) == 0,
		 "long tail: chose %s with %zu tunables", d.policy, json_object_size(d.tunables));
	scx_agent_decision_clear(&d);

	json_t *lat = profile("latency_sensitive", "interactive", NULL);
	TK_CHECK(scx_agent_plan_offline(lat, c, NULL, 0, &d, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(d.policy, "latency"), "latency-sensitive: chose %s", d.policy);
	scx_agent_decision_clear(&d);

	json_t *mixed = profile("mixed", NULL, NULL);
	TK_CHECK(scx_agent_plan_offline(mixed, c, NULL, 0, &d, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(d.policy, "vtime"), "mixed: chose %s", d.policy);
	scx_agent_decision_clear(&d);

	/* ljf beat the default: its slice grows (20 ms default, x2.5). */
	struct scx_agent_iter h[4];
	set_iter(&h[0], 1, "ljf", json_object(), true, 0.84);
	TK_CHECK(scx_agent_plan_offline(lt, c, h, 1, &d, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(d.policy, "ljf") && tunable(&d, "slice_ns") == 50000000,
		 "tune up: %s slice_ns=%lld", d.policy, tunable(&d, "slice_ns"));
	scx_agent_decision_clear(&d);

	/* That was rejected: step the other way from the best (20 ms / 1.6). */
	set_iter(&h[1], 2, "ljf", json_pack("{s:i}", "slice_ns", 50000000), false, 0);
	TK_CHECK(scx_agent_plan_offline(lt, c, h, 2, &d, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(d.policy, "ljf") && tunable(&d, "slice_ns") == 12500000,
		 "step back: %s slice_ns=%lld", d.policy, tunable(&d, "slice_ns"));
	scx_agent_decision_clear(&d);

	/* The verifier refused ljf at its defaults for a starving task: the
	 * same policy with half the slice (20 ms -> 10 ms). */
	struct scx_agent_iter hs[1];
	set_iter(&hs[0], 1, "ljf", json_object(), false, 0);
	snprintf(hs[0].error, sizeof(hs[0].error),
		 "verify: rejected: no_starvation: longest wait of a runnable task 1096.0 ms");
	TK_CHECK(scx_agent_plan_offline(lt, c, hs, 1, &d, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(d.policy, "ljf") && tunable(&d, "slice_ns") == 10000000,
		 "after starvation: %s slice_ns=%lld", d.policy, tunable(&d, "slice_ns"));
	scx_agent_decision_clear(&d);
	json_decref(hs[0].tunables);

	/* Latency tuning goes down: 1 ms -> 0.5 ms. */
	struct scx_agent_iter hl[1];
	set_iter(&hl[0], 1, "latency", json_object(), true, 0.5);
	TK_CHECK(scx_agent_plan_offline(lat, c, hl, 1, &d, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(tunable(&d, "wake_slice_ns") == 500000, "latency tune: %lld",
		 tunable(&d, "wake_slice_ns"));
	scx_agent_decision_clear(&d);
	json_decref(hl[0].tunables);

	/* A policy that loses to the default: the next candidate instead. */
	struct scx_agent_iter hx[1];
	set_iter(&hx[0], 1, "ljf", json_object(), true, 1.3);
	TK_CHECK(scx_agent_plan_offline(lt, c, hx, 1, &d, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(strcmp(d.policy, "ljf") != 0 && json_object_size(d.tunables) == 0,
		 "after a loss: chose %s", d.policy);
	scx_agent_decision_clear(&d);
	json_decref(hx[0].tunables);

	/* Everything tried and lost: nothing left. */
	struct scx_agent_iter all[4];
	const char *names[] = {"fifo", "latency", "ljf", "vtime"};
	for (int i = 0; i < 4; i++)
		set_iter(&all[i], i + 1, names[i], json_object(), true, 1.1);
	TK_CHECK(scx_agent_plan_offline(lt, c, all, 4, &d, err, sizeof(err)) == -ENOENT,
		 "all tried: still planned %s", d.policy);
	scx_agent_decision_clear(&d);
	for (int i = 0; i < 4; i++)
		json_decref(all[i].tunables);
	json_decref(h[0].tunables);
	json_decref(h[1].tunables);
	json_decref(lt);
	json_decref(lat);
	json_decref(mixed);
	json_decref(c);
}

static void rewrite(void)
{
	const char *src = "const volatile u64 slice_ns = 20000000; /* tunable */\n"
			  "const volatile u64 slice_ns_max = 7;\n"
			  "const volatile s32 steal_min = 1;\n";
	char err[256];
	char *out = scx_agent_set_tunable(src, "slice_ns", 12500000, err, sizeof(err));
	TK_REQUIRE(out, "%s", err);
	TK_CHECK(!strcmp(out, "const volatile u64 slice_ns = 12500000; /* tunable */\n"
			      "const volatile u64 slice_ns_max = 7;\n"
			      "const volatile s32 steal_min = 1;\n"),
		 "rewrite gave:\n%s", out);
	free(out);
	out = scx_agent_set_tunable(src, "steal_min", 4, err, sizeof(err));
	TK_CHECK(out && strstr(out, "steal_min = 4;") && strstr(out, "slice_ns = 20000000;"),
		 "steal_min rewrite");
	free(out);
	TK_CHECK(!scx_agent_set_tunable(src, "slice", 1, err, sizeof(err)),
		 "a prefix of a name matched");
	TK_CHECK(!scx_agent_set_tunable("u64 slice_ns = 5;", "slice_ns", 1, err, sizeof(err)),
		 "a non-volatile declaration matched");
}

static void llm(void)
{
	json_t *c = candidates();
	json_t *p = profile("cpu_bound", "long_tail", NULL);
	struct scx_agent_decision d;
	char err[512];

	/* Parsing: a JSON object inside prose; an unknown policy without source. */
	TK_CHECK(scx_agent_parse_llm_reply("Sure. {\"policy\":\"ljf\",\"tunables\":{\"slice_ns\":"
					   "30000000},\"rationale\":\"long job first\"} Done.",
					   c, &d, err, sizeof(err)) == 0 &&
			 !strcmp(d.policy, "ljf") && tunable(&d, "slice_ns") == 30000000,
		 "parse: %s", err);
	scx_agent_decision_clear(&d);
	TK_CHECK(scx_agent_parse_llm_reply("{\"policy\":\"nosuch\"}", c, &d, err, sizeof(err)) < 0,
		 "an unknown policy without source was accepted");
	TK_CHECK(scx_agent_parse_llm_reply("{\"policy\":\"ljf\",\"tunables\":{\"slice_ns\":-1}}", c,
					   &d, err, sizeof(err)) < 0,
		 "a negative tunable was accepted");
	TK_CHECK(scx_agent_parse_llm_reply("no json here", c, &d, err, sizeof(err)) < 0,
		 "prose was accepted");
	TK_CHECK(scx_agent_parse_llm_reply("{\"policy\":\"mine\",\"source\":\"int x;\"}", c, &d,
					   err, sizeof(err)) == 0 &&
			 d.source && !strcmp(d.source, "int x;"),
		 "a new policy's source: %s", err);
	scx_agent_decision_clear(&d);

	/* Against lib/llm's mock OpenAI server. The body follows OpenAI's
	 * documented chat completion shape. */
	struct mock_server *m = NULL;
	TK_REQUIRE(mock_start(&m, "sk-test") == 0, "mock server");
	const char *body =
		"{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":"
		"\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
		"\"content\":\"{\\\"policy\\\":\\\"ljf\\\",\\\"tunables\\\":{},\\\"rationale\\\":"
		"\\\"the long job sets the makespan\\\"}\"},\"finish_reason\":\"stop\"}],"
		"\"usage\":{\"prompt_tokens\":812,\"completion_tokens\":31,\"total_tokens\":843}}";
	struct mock_reply r = {.kind = MOCK_JSON, .body = body};
	mock_script(m, &r, 1);
	struct llm_config cfg;
	llm_config_defaults(&cfg, LLM_PROVIDER_OPENAI);
	snprintf(cfg.base_url, sizeof(cfg.base_url), "%s/v1", mock_url(m));
	snprintf(cfg.api_key, sizeof(cfg.api_key), "sk-test");
	cfg.max_retries = 0;
	struct llm_client *cl = NULL;
	TK_REQUIRE(llm_client_new(&cfg, &cl, err, sizeof(err)) == LLM_OK, "%s", err);
	int rc = scx_agent_plan_llm(cl, p, c, NULL, 0, &d, err, sizeof(err));
	TK_CHECK(rc == 0 && !strcmp(d.policy, "ljf"), "LLM plan: rc %d %s", rc, err);
	TK_CHECK(d.input_tokens == 812 && d.output_tokens == 31, "tokens %llu/%llu",
		 (unsigned long long)d.input_tokens, (unsigned long long)d.output_tokens);
	TK_CHECK(strstr(d.rationale, "long job") != NULL, "rationale '%s'", d.rationale);
	scx_agent_decision_clear(&d);
	TK_REQUIRE(mock_count(m) == 1, "%zu requests", mock_count(m));
	const struct mock_request *q = mock_request(m, 0);
	TK_CHECK(q->problem[0] == '\0', "request problem: %s", q->problem);
	char *sent = json_dumps(q->json, 0);
	TK_CHECK(sent && strstr(sent, "long_tail") && strstr(sent, "slice_ns") &&
			 strstr(sent, "ljf"),
		 "the request lacks the profile or the candidates");
	free(sent);
	llm_client_free(cl);
	mock_stop(m);
	json_decref(p);
	json_decref(c);
}

int main(void)
{
	offline();
	rewrite();
	llm();
	return tk_finish();
}
