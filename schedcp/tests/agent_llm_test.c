/* agent_llm_test: sched-agent with its LLM planner, end to end through MCP,
 * against lib/llm's mock OpenAI server, without a VM.
 *
 * The agent runs two iterations; the server has no sched_ext kernel (an
 * empty cache, no fetching), so each plan is synthesized and then refused at
 * verification. What is checked is the LLM half of the loop: the agent
 * names the model it plans with, acts on each reply (the tuned LJF variant
 * of the first reply is what it tries to verify), tells the model in its
 * second request what happened in the first (learning), and accounts the
 * tokens the API reported and their cost at the configured prices
 * (OpenAI's usage fields; cost = tokens x price per million).
 *
 * usage: agent_llm_test SCHED_AGENT SCHEDCP_MCP TMPDIR
 */
#include "mock_server.h"
#include "testkit.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

#define REPLY(content, in, out)                                                          \
	"{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion\",\"created\":1,\"model\":" \
	"\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\"," \
	"\"content\":\"" content                                                         \
	"\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" #in             \
	",\"completion_tokens\":" #out ",\"total_tokens\":1}}"

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s SCHED_AGENT SCHEDCP_MCP TMPDIR\n", argv[0]);
		return 2;
	}
	const char *tmp = argv[3];
	mkdir(tmp, 0700);
	char repo[512], cache[512], out[512], rec[512];
	snprintf(repo, sizeof(repo), "%s/repo.db", tmp);
	snprintf(cache, sizeof(cache), "%s/empty-cache", tmp);
	snprintf(out, sizeof(out), "%s/out", tmp);
	snprintf(rec, sizeof(rec), "%s/run.json", tmp);
	unlink(repo);
	mkdir(cache, 0700);

	struct mock_server *m = NULL;
	TK_REQUIRE(mock_start(&m, "sk-test") == 0, "mock server");
	static const struct mock_reply script[] = {
		{.kind = MOCK_JSON,
		 .body = REPLY(
			 "{\\\"policy\\\":\\\"ljf\\\",\\\"tunables\\\":{\\\"slice_ns\\\":"
			 "30000000},\\\"rationale\\\":\\\"the long job sets the makespan\\\"}",
			 900, 40)},
		{.kind = MOCK_JSON,
		 .body = REPLY("Next: {\\\"policy\\\":\\\"fifo\\\",\\\"tunables\\\":{},"
			       "\\\"rationale\\\":\\\"try the baseline policy\\\"}",
			       1100, 30)},
	};
	mock_script(m, script, 2);
	char base[256];
	snprintf(base, sizeof(base), "base_url=%s/v1", mock_url(m));

	pid_t pid = fork();
	TK_REQUIRE(pid >= 0, "fork");
	if (!pid) {
		FILE *o = freopen(out, "w", stdout);
		(void)o;
		execl(argv[1], argv[1], "--server", argv[2], "--server-arg", "--repo",
		      "--server-arg", repo, "--server-arg", "--cache", "--server-arg", cache,
		      "--server-arg", "--no-fetch", "--no-observe", "--no-deploy", "--iterations",
		      "2", "--llm", "provider=openai", "--llm", base, "--llm", "api_key=sk-test",
		      "--llm", "model=gpt-4o-mini", "--llm", "price_in=2.5", "--llm",
		      "price_out=10", "--llm", "max_retries=0", "--json", rec, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	TK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) <= 1, "the agent ended with status %d", st);
	char *text = slurp(out);
	TK_REQUIRE(text, "no output");
	printf("%s", text);
	TK_CHECK(strstr(text, "planner: LLM openai gpt-4o-mini") != NULL,
		 "the planner is not named");
	TK_CHECK(strstr(text, "iteration 1: plan ljf slice_ns=30000000 -- the long job sets the "
			      "makespan") != NULL,
		 "the first reply was not acted on");
	TK_CHECK(strstr(text, "iteration 2: plan fifo -- try the baseline policy") != NULL,
		 "the second reply (JSON inside prose) was not acted on");
	/* No kernel: the tuned variant was synthesized, then refused at verify. */
	TK_CHECK(strstr(text, "verify: policy_create") && strstr(text, "no sched_ext kernel"),
		 "iteration 1 did not reach verification of the synthesized variant");
	free(text);

	/* What the model was told. */
	TK_REQUIRE(mock_count(m) == 2, "%zu LLM requests, want 2", mock_count(m));
	for (size_t i = 0; i < 2; i++)
		TK_CHECK(mock_request(m, i)->problem[0] == '\0', "request %zu: %s", i,
			 mock_request(m, i)->problem);
	char *r1 = json_dumps(mock_request(m, 0)->json, 0);
	char *r2 = json_dumps(mock_request(m, 1)->json, 0);
	TK_CHECK(r1 && strstr(r1, "slice_ns") && strstr(r1, "ljf") && strstr(r1, "long_tail"),
		 "the first request lacks the candidates or the profile");
	TK_CHECK(r1 && strstr(r1, "Earlier iterations (ratio below 1 beats the default): []"),
		 "the first request already has a history");
	TK_CHECK(r2 && strstr(r2, "\\\"iteration\\\":1") && strstr(r2, "no sched_ext kernel"),
		 "the second request does not tell the model what iteration 1 met");
	free(r1);
	free(r2);

	/* Tokens and cost in the record: 900+1100 in, 40+30 out, at $2.5 and
	 * $10 per million. */
	json_t *j = json_load_file(rec, 0, NULL);
	TK_REQUIRE(j, "no JSON record");
	TK_CHECK(!strcmp(json_string_value(json_object_get(j, "planner")), "llm"), "planner");
	TK_CHECK(json_integer_value(json_object_get(j, "input_tokens")) == 2000 &&
			 json_integer_value(json_object_get(j, "output_tokens")) == 70,
		 "tokens %lld/%lld",
		 (long long)json_integer_value(json_object_get(j, "input_tokens")),
		 (long long)json_integer_value(json_object_get(j, "output_tokens")));
	double cost = json_number_value(json_object_get(j, "cost_usd"));
	double want = (2000 * 2.5 + 70 * 10.0) / 1e6;
	TK_CHECK(fabs(cost - want) < 1e-9, "cost %.9f, want %.9f", cost, want);
	const json_t *it1 = json_array_get(json_object_get(j, "iterations"), 0);
	TK_CHECK(json_integer_value(json_object_get(it1, "input_tokens")) == 900 &&
			 !strcmp(json_string_value(json_object_get(it1, "deployed")), "ljf_agent"),
		 "iteration 1 record");
	json_decref(j);
	mock_stop(m);
	return tk_finish();
}
